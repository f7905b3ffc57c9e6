// FFI enums with the current tvm-ffi API (enum.h, reflection/enum_def.h): a kernel registers
// two enum classes with EnumDef, looks values up by name and by value, and hands them to JS,
// which reads `_name`/`_value` and passes them back; built with clang++-22 and g++ (C++17 and
// C++20). Unknown names fail naming the enum and the name. A loadInline reload replaces the
// values of an enum class while values of the old library stay readable.
import { execa } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionSession, FFIError, FFIObject, loadInline, loadModule, type LoadedFFIModule } from "../../src/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const INCLUDE = join(ROOT, "native/include");
const FIXTURE = join(ROOT, "test/headers/fixtures/enums.cc");
const KERNELS = ["op_by_name", "op_by_value", "color_by_name", "apply", "describe", "singletons", "register_twice"] as const;
const BUILDS = [
  { cxx: "clang++-22", std: "c++17" },
  { cxx: "g++", std: "c++20" },
];

interface EnumValue { _name: string; _value: number }

let outDir: string;
beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), "orcjit-enum-"));
});
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

// An enum value as JS sees it: an FFIObject of its class whose reflected fields are readable.
function enumOf(v: unknown): EnumValue {
  expect(v).toBeInstanceOf(FFIObject);
  return v as EnumValue;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe.each(BUILDS)("enum kernel built with $cxx -std=$std", ({ cxx, std }) => {
  let mod: LoadedFFIModule<string, (typeof KERNELS)[number]>;
  beforeAll(async () => {
    const obj = join(outDir, `enums-${cxx}-${std}.o`);
    await execa(cxx, [`-std=${std}`, "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror", "-c", "-I", INCLUDE, FIXTURE, "-o", obj]);
    mod = loadModule(obj, { functions: KERNELS });
  }, 300_000);
  afterAll(() => mod?.dispose());

  it("looks values up by name and by value; JS reads _name and _value", () => {
    const add = enumOf(mod.op_by_name("Add"));
    expect([add._name, add._value]).toEqual(["Add", 0]);
    const sub = enumOf(mod.op_by_value(1));
    expect([sub._name, sub._value]).toEqual(["Sub", 1]);
    const green = enumOf(mod.color_by_name("Green"));
    expect([green._name, green._value]).toEqual(["Green", 1]); // ordinals count per class
    expect(String(mod.op_by_name("Mul"))).toBe("demo.Op(_value=2, _name=Mul)");
  });

  it("takes enum values back from JS and dispatches on them", () => {
    expect(mod.apply(mod.op_by_name("Add"), 6, 7)).toBe(13);
    expect(mod.apply(mod.op_by_value(1), 6, 7)).toBe(-1);
    expect(mod.apply(mod.op_by_name("Mul"), 6, 7)).toBe(42);
    expect(mod.describe(mod.op_by_value(2))).toBe("Mul=2 *"); // set_attr value, by ordinal
    expect(mod.singletons()).toBe(true);
  });

  it("an unknown name or value fails naming the enum and what was asked", () => {
    const byName = thrown(() => mod.op_by_name("Div"));
    expect(byName).toBeInstanceOf(FFIError);
    expect((byName as FFIError).kind).toBe("RuntimeError");
    expect((byName as FFIError).message).toContain("enum `demo.Op` has no value named `Div` (registered: Add, Sub, Mul)");
    expect((thrown(() => mod.op_by_value(7)) as Error).message).toContain("enum `demo.Op` has no value 7 (registered: Add, Sub, Mul)");
  });

  it("a value of another enum class is rejected by type; a duplicate name is an error", () => {
    expect((thrown(() => mod.apply(mod.color_by_name("Red"), 1, 2)) as Error).message).toContain(
      "Expected `demo.Op` but got `demo.Color`",
    );
    expect(mod.register_twice()).toBe("enum `demo.Color`: value `Red` is registered twice");
  });
});

describe("enums through loadInline", () => {
  const source = (names: string[]) => `
#include <tvm/ffi/reflection/enum_def.h>
class ModeObj : public tvm::ffi::EnumObj {
 public:
  TVM_FFI_DECLARE_OBJECT_INFO_FINAL("demo.InlineMode", ModeObj, tvm::ffi::EnumObj);
};
TVM_FFI_STATIC_INIT_BLOCK() {
${names.map((n) => `  tvm::ffi::reflection::EnumDef<ModeObj>("${n}");`).join("\n")}
}
tvm::ffi::Enum mode(tvm::ffi::String name) { return tvm::ffi::EnumObj::Get<ModeObj>(name); }
`;

  it("a second library's values of the same enum class replace the first's; old values stay readable", async () => {
    const cacheDir = mkdtempSync(join(outDir, "cache-"));
    const session = new ExecutionSession();
    try {
      const first = await loadInline({ name: "enum_v1", cppSources: source(["Fast", "Safe"]), functions: ["mode"], cacheDir, session });
      const safe = enumOf(first.mode("Safe"));
      expect([safe._name, safe._value]).toEqual(["Safe", 1]);

      const second = await loadInline({ name: "enum_v2", cppSources: source(["Safe", "Slow"]), functions: ["mode"], cacheDir, session });
      expect(enumOf(second.mode("Slow"))._value).toBe(1);
      expect(enumOf(second.mode("Safe"))._value).toBe(0);
      expect((thrown(() => second.mode("Fast")) as Error).message).toContain(
        "enum `demo.InlineMode` has no value named `Fast` (registered: Safe, Slow)",
      );
      first.dispose();
      expect([safe._name, safe._value]).toEqual(["Safe", 1]); // the old value pins its library
      expect(enumOf(second.mode("Safe"))._value).toBe(0); // the registry is the second's
      second.dispose();
    } finally {
      session.dispose();
    }
  }, 300_000);
});
