// Objects built with the compilers' defaults (gcc: -fPIE on Debian) and with -fno-pic reach
// host data (std::cout, an ostringstream's vtable) with 32-bit PC-relative or absolute
// fixups. Those symbols live in the non-PIE node executable (copy relocations), so the JIT
// memory is reserved within ±2 GiB of the executable's image (issue 13).
import { describe, expect, it } from "vitest";
import { ExecutionSession, LinkError } from "../../src/index.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";

describe.each(COMPILERS)("PIE and non-PIC objects ($id)", (cc) => {
  it.each(["pie", "nopic"])("host_data_%s loads and runs", (v) => {
    using session = new ExecutionSession();
    const lib = session.createLibrary(`host_data_${v}`);
    lib.add(fixture(cc, `cc/host_data_${v}`));
    expect(lib.getFunction(`host_data_${v}`)()).toBe(107);
  });
});

describe.each(COMPILERS)("position-dependent reference to far host data ($id)", (cc) => {
  it("fails at load with an error naming the symbol and -fPIC", () => {
    using session = new ExecutionSession();
    const lib = session.createLibrary("far_data");
    lib.add(fixture(cc, "c/far_data_nopic"));
    let err: unknown;
    try {
      lib.getFunction("far_data_nopic");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LinkError);
    expect((err as Error).message).toMatch(/program_invocation_short_name/);
    expect((err as Error).message).toMatch(/compile the object with -fPIC/);
  });
});
