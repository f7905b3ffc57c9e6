// loadModule inputs (issue 14): a path, a Uint8Array of object bytes, or a list mixing both
// (linked into one library); .so paths still go through dlopen; ExecutionSession.loadModule
// and defaultSession() as the shared session used when none is given.
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionSession, LinkError, ObjectFileError, SymbolNotFoundError, defaultSession, loadModule } from "../../src/index.js";
import { INCLUDE } from "./library-bin-fixture.js";

let dir: string;
let mainObj: string; // calls helper(), which only helperObj defines
let helperObj: string;
let so: string;

async function cc(name: string, text: string, extra: string[] = []): Promise<string> {
  const src = join(dir, `${name}.c`);
  const out = join(dir, `${name}${extra.includes("-shared") ? ".so" : ".o"}`);
  writeFileSync(src, text);
  await execa("clang-22", ["-O2", "-fPIC", ...(extra.includes("-shared") ? extra : ["-c", ...extra]), "-I", INCLUDE, src, "-o", out]);
  return out;
}

const EXPORT = (name: string, body: string) =>
  `TVM_FFI_DLL_EXPORT int __tvm_ffi_${name}(void* s, const TVMFFIAny* a, int32_t n, TVMFFIAny* r) {
  (void)s; (void)n; r->type_index = kTVMFFIInt; r->zero_padding = 0; r->v_int64 = ${body}; return 0; }\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orcjit-inputs-"));
  const head = "#include <tvm/ffi/c_api.h>\n";
  mainObj = await cc("main", `${head}int helper(int);\n${EXPORT("twice_plus", "helper((int)a[0].v_int64) * 2")}`);
  helperObj = await cc("helper", `${head}int helper(int x) { return x + 1; }\n${EXPORT("helper_only", "helper(0)")}`);
  so = await cc("shared", `${head}${EXPORT("from_so", "7")}`, ["-shared"]);
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("loadModule inputs", () => {
  it("a path, object bytes, or a list mixing both (one library: symbols resolve across them)", () => {
    const fromBytes = loadModule(new Uint8Array(readFileSync(helperObj)));
    expect(fromBytes.path).toBe("<bytes>");
    expect(fromBytes.name).toBe("module");
    expect(fromBytes.helper_only!()).toBe(1);
    fromBytes.dispose();

    const mixed = loadModule([mainObj, readFileSync(helperObj)], { name: "mixed" });
    expect(mixed.kind).toBe("jit");
    expect(mixed.name).toBe("mixed");
    expect(mixed.twice_plus!(4)).toBe(10); // main.o's call reaches helper() from the bytes
    expect(mixed.helper_only!()).toBe(1);
    mixed.dispose();
  });

  it("a list missing a definition fails to link; bad elements are named", () => {
    expect(() => loadModule([mainObj])).toThrow(LinkError);
    expect(() => loadModule([])).toThrow(/list of objects is empty/);
    expect(() => loadModule([mainObj, 42 as unknown as string])).toThrow(/element 1 of 'input' must be a path/);
    expect(() => loadModule([mainObj, join(dir, "missing.o")])).toThrow(ObjectFileError);
    expect(() => loadModule([mainObj, so])).toThrow(/is a shared library; a list may only hold objects/);
    expect(() => loadModule(new Uint8Array([1, 2, 3]))).toThrow(ObjectFileError);
  });

  it(".so paths still go through dlopen", () => {
    const mod = loadModule(so);
    expect(mod.kind).toBe("shared");
    expect(mod.from_so!()).toBe(7);
  });

  it("ExecutionSession.loadModule uses that session; loadModule defaults to defaultSession()", () => {
    const session = new ExecutionSession();
    try {
      const mod = session.loadModule([helperObj]);
      expect(mod.library!.session).toBe(session);
      expect(mod.helper_only!()).toBe(1);
      const shared = loadModule(helperObj);
      expect(shared.library!.session).toBe(defaultSession());
      expect(defaultSession()).toBe(defaultSession());
      shared.dispose();
    } finally {
      session.dispose();
    }
    expect(() => session.loadModule(helperObj)).toThrow(/disposed/);
  });

  it("`functions` are looked up at load (typed properties); a missing one fails the load, naming it", () => {
    const mod = loadModule([mainObj, helperObj], { functions: ["twice_plus", "helper_only"] });
    expect(mod.twice_plus(4)).toBe(10); // no `!`: listed functions are FFIFunctions
    mod.dispose();
    const so7 = loadModule(so, { functions: ["from_so"] });
    expect(so7.from_so()).toBe(7);
    expect(() => loadModule(helperObj, { functions: ["helper_only", "nope"] })).toThrow(SymbolNotFoundError);
    expect(() => loadModule(helperObj, { functions: ["nope"] })).toThrow(/has no function 'nope'/);
    expect(() => loadModule(helperObj, { functions: "helper_only" as unknown as string[] })).toThrow(/'functions' must be an array/);
  });
});
