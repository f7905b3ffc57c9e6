// thread_local is rejected at load with an error naming the symbol and the fix (ELF TLS
// would silently read garbage without the dynamic loader); -femulated-tls objects work.
// Far calls: GOT-indirect calls to the (non-PIE, low-address) node executable and to libc,
// and cross-library calls across a large library.
import { afterEach, describe, expect, it } from "vitest";
import { ExecutionSession, LinkError } from "../../src/index.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";

const clang = COMPILERS.find((c) => c.id === "clang")!;

describe.each(COMPILERS)("thread_local ($id objects)", (cc) => {
  let session: ExecutionSession;
  afterEach(() => session?.dispose());

  it.each([
    ["c/tls", /symbol 'orcjit_test_tls_counter'/],
    ["c/tls_static", /symbol '[^']*counter[^']*' is a thread-local variable in .tbss/],
    ["cc/tls", /symbol 't_name(\[abi:cxx11\])?' \(_Z6t_name\w*\) is a thread-local variable in .tbss/],
  ] as const)("rejects %s at load, naming the symbol and the fix", (obj, symbolPattern) => {
    session = new ExecutionSession();
    const lib = session.createLibrary("tls");
    let err: unknown;
    try {
      lib.add(fixture(cc, obj));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LinkError);
    const message = (err as Error).message;
    expect(message).toMatch(symbolPattern);
    expect(message).toMatch(/thread_local storage is not supported/);
    expect(message).toMatch(/-femulated-tls/);
    expect(message).toMatch(/move the thread_local into the host/);
    // The library is still usable.
    lib.add(fixture(cc, "c/add"));
    expect(lib.getFunction("add")(1, 2)).toBe(3);
  });
});

describe("emulated TLS (the suggested fix)", () => {
  it("gives each thread its own copy (clang -femulated-tls)", () => {
    using session = new ExecutionSession();
    const lib = session.createLibrary("emutls");
    lib.add(fixture(clang, "c/tls_emulated"));
    const f = lib.getFunction("tls_two_threads");
    expect(f()).toBe(1 * 1000 + 5);
    expect(f()).toBe(2 * 1000 + 5);
  });
});

describe.each(COMPILERS)("far calls ($id objects)", (cc) => {
  let session: ExecutionSession;
  afterEach(() => session?.dispose());

  it("calls libc and the node executable through the GOT (-fno-plt)", () => {
    session = new ExecutionSession();
    const lib = session.createLibrary("far");
    lib.add(fixture(cc, "c/far"));
    expect(lib.getFunction("far_getpid")()).toBe(process.pid);
    expect(lib.getFunction("far_pointer_call")()).toBe(process.pid);
    const v = lib.getFunction("far_uv_version")() as number;
    const [major, minor, patch] = process.versions.uv.split(".").map(Number) as [number, number, number];
    expect(v).toBe((major << 16) | (minor << 8) | patch);
  });

  it("calls across libraries separated by a large one", () => {
    session = new ExecutionSession();
    const big = session.createLibrary("big");
    big.add(fixture(cc, "c/big_bss"));
    expect(big.getFunction("big_size")(5)).toBe(8 << 20);
    const filler: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const l = session.createLibrary(`filler${i}`);
      l.add(fixture(cc, "c/big_bss"));
      l.getFunction("big_size")(1);
      filler.push(l);
    }
    const caller = session.createLibrary("caller");
    caller.setLinkOrder([big]);
    caller.add(fixture(cc, "c/far_caller"));
    expect(caller.getFunction("call_big")()).toBe(8 << 20);
  });
});
