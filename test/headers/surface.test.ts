// The whole authoring header surface (issue 14): every header under native/include/tvm/ffi
// compiles on its own (self-contained) with clang++-22 and g++, in C++17 and C++20, without
// warnings; a kernel using Tuple/List/Dict/Variant/Expected/Downcast/RValueRef compiles with
// both compilers and runs on this runtime, and conversion errors name what is wrong.
import { execa } from "execa";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FFIError, loadModule, type LoadedFFIModule } from "../../src/index.js";
import { createLimiter } from "../../src/util/limit.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const INCLUDE = join(ROOT, "native/include");
const FIXTURE = join(ROOT, "test/headers/fixtures/containers.cc");

function headersUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return headersUnder(full);
    return name.endsWith(".h") ? [relative(INCLUDE, full)] : [];
  });
}
const HEADERS = headersUnder(join(INCLUDE, "tvm/ffi")).sort();
const COMPILERS = ["clang++-22", "g++"];
const STANDARDS = ["c++17", "c++20"];

let outDir: string;
beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), "orcjit-surface-"));
});
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe("header surface", () => {
  it("ships the upstream header paths kernels include", () => {
    for (const h of [
      "tvm/ffi/container/tuple.h", "tvm/ffi/container/list.h", "tvm/ffi/container/dict.h",
      "tvm/ffi/container/variant.h", "tvm/ffi/container/map_base.h", "tvm/ffi/container/seq_base.h",
      "tvm/ffi/container/container_details.h", "tvm/ffi/cast.h", "tvm/ffi/expected.h",
      "tvm/ffi/device.h", "tvm/ffi/type_traits.h", "tvm/ffi/rvalue_ref.h", "tvm/ffi/memory.h",
      "tvm/ffi/enum.h", "tvm/ffi/reflection/enum_def.h", "tvm/ffi/endian.h", "tvm/ffi/function_details.h", "tvm/ffi/dtype.h",
      "tvm/ffi/error.h", "tvm/ffi/function.h", "tvm/ffi/reflection/registry.h",
      "tvm/ffi/reflection/accessor.h", "tvm/ffi/extra/module.h", "tvm/ffi/extra/c_env_api.h",
    ]) {
      expect(HEADERS, h).toContain(h);
    }
  });

  it(
    "every header compiles alone, warning-free, with clang++-22 and g++ in C++17 and C++20",
    async () => {
      const jobs = HEADERS.flatMap((h) =>
        COMPILERS.flatMap((cxx) => STANDARDS.map((std) => ({ h, cxx, std }))),
      );
      const failures: string[] = [];
      const limit = createLimiter(Math.max(2, availableParallelism()));
      await Promise.all(jobs.map(({ h, cxx, std }, i) => limit(async () => {
        const src = join(outDir, `one-${i}.cc`);
        writeFileSync(src, `#include <${h}>\n`);
        const r = await execa(
          cxx,
          [`-std=${std}`, "-fsyntax-only", "-Wall", "-Wextra", "-I", INCLUDE, src],
          { reject: false },
        );
        if (r.exitCode !== 0 || r.stderr.trim() !== "") {
          failures.push(`${h} (${cxx} -std=${std}):\n${r.stderr.split("\n").slice(0, 8).join("\n")}`);
        }
      })));
      expect(failures).toEqual([]);
    },
    1_500_000, // ~190 compiles: minutes on a loaded 2-core machine
  );
});

const KERNELS = [
  "make_pair", "pair_roundtrip", "make_list", "list_shared", "make_dict", "pick", "which", "bad_variant",
  "bad_tuple_element", "bad_tuple_size", "bad_list_element", "bad_dict_value", "checked_div",
  "downcast_check", "rvalue_move", "device_id",
  "describe_pair", "list_sum", "list_append", "dict_lookup", "dict_keys", "nested_sum",
] as const;

describe.each(COMPILERS)("containers kernel built with %s", (cxx) => {
  let mod: LoadedFFIModule<string, (typeof KERNELS)[number]>;
  beforeAll(async () => {
    const obj = join(outDir, `containers-${cxx}.o`);
    await execa(cxx, ["-std=c++17", "-fPIC", "-O2", "-Wall", "-Wextra", "-c", "-I", INCLUDE, FIXTURE, "-o", obj]);
    mod = loadModule(obj, { functions: KERNELS });
  }, 300_000);
  afterAll(() => mod?.dispose());

  it("returns ffi::Tuple<int, String> as an array", () => {
    expect(mod.make_pair(3, "hello world")).toEqual([3, "hello world"]);
    expect(mod.pair_roundtrip()).toBe("7/8:seven");
  });

  it("List is shared and mutable; Dict keeps insertion order after in-place edits", () => {
    expect(mod.make_list(3)).toEqual([-1, 5, 10]);
    expect(mod.list_shared()).toBe(3);
    const d = mod.make_dict(10) as Map<string, number>;
    expect(d).toBeInstanceOf(Map);
    expect([...d.keys()]).toEqual(["key1", "key2", "key3", "key4", "key5", "key6", "key7", "key8", "key9"]);
    expect(d.get("key1")).toBe(100);
  });

  it("Variant crosses as its alternative and takes either from JS", () => {
    expect(mod.pick(true)).toBe("chosen string");
    expect(mod.pick(false)).toBe(42);
    expect(mod.which(4)).toBe("int 4");
    expect(mod.which("s")).toBe("str s");
  });

  it("a Variant with no matching alternative names the alternatives", () => {
    let err: unknown;
    try {
      mod.which(1.5);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FFIError);
    expect((err as FFIError).kind).toBe("TypeError");
    expect((err as Error).message).toContain("Expected `Variant[int, str]` but got `float`");
    expect(mod.bad_variant()).toContain("Expected `Variant[int, str]` but got `float`");
  });

  it("wrong element types are rejected naming the position and the expected type", () => {
    expect(mod.bad_tuple_element()).toBe(
      "TypeError: Mismatched type on argument #0 when calling: `takes_pair(0: Tuple[int, str]) -> int`. " +
        "Expected `Tuple[int, str]` but got `Array[index 1: float, expected str]`",
    );
    expect(mod.bad_tuple_size()).toContain("but got `Array[size 3, expected 2]`");
    expect(mod.bad_list_element()).toContain("Expected `List[int]` but got `List[index 2: str, expected int]`");
    expect(mod.bad_dict_value()).toContain("Expected `Dict[str, int]` but got `Dict[pair 1 value: str, expected int]`");
  });

  it("takes JS arrays into Tuple/List parameters and Maps or plain objects into Dict parameters", () => {
    expect(mod.describe_pair([3, "js"])).toBe("3/4:js");
    expect(mod.list_sum([1, 2, 3, 4])).toBe(10);
    expect(mod.list_sum([])).toBe(0);
    const source = [1, 2];
    expect(mod.list_append(source, 3)).toEqual([1, 2, 3]);
    expect(source).toEqual([1, 2]); // copied into the List: the JS array is not changed
    expect(mod.dict_lookup(new Map([["a", 1], ["b", 2]]), "b")).toBe(2);
    expect(mod.dict_lookup({ a: 1, b: 2 }, "a")).toBe(1);
    expect(mod.dict_keys(new Map([["z", 1], ["a", 2]]))).toBe("z=1;a=2;"); // insertion order kept
    expect(mod.nested_sum([[1, 2], [], [3]])).toBe(6);
  });

  it("JS containers with a wrong element are rejected naming the position and the expected type", () => {
    const rejects = (call: () => unknown): string => {
      try {
        call();
      } catch (e) {
        expect(e).toBeInstanceOf(FFIError);
        expect((e as FFIError).kind).toBe("TypeError");
        return (e as Error).message;
      }
      throw new Error("the call did not throw");
    };
    expect(rejects(() => mod.describe_pair([3, 4]))).toContain(
      "Mismatched type on argument #0 when calling: `describe_pair(0: Tuple[int, str]) -> str`. Expected `Tuple[int, str]` but got `Array[index 1: int, expected str]`",
    );
    expect(rejects(() => mod.describe_pair([3]))).toContain("Expected `Tuple[int, str]` but got `Array[size 1, expected 2]`");
    expect(rejects(() => mod.list_sum([1, 2, "three"]))).toContain("Expected `List[int]` but got `Array[index 2: str, expected int]`");
    expect(rejects(() => mod.list_append([1], "x"))).toContain("argument #1");
    expect(rejects(() => mod.dict_lookup({ a: 1, b: "two" }, "a"))).toContain("Expected `Dict[str, int]` but got `Map[pair 1 value: str, expected int]`");
    expect(rejects(() => mod.dict_lookup(new Map([[1, 2]]), "a"))).toContain("Expected `Dict[str, int]` but got `Map[pair 0 key: int, expected str]`");
    expect(rejects(() => mod.nested_sum([[1], [2, "x"]]))).toContain(
      "Expected `List[List[int]]` but got `Array[index 1: Array[index 1: str, expected int], expected List[int]]`",
    );
  });

  it("Expected<T> returns the value or raises the error", () => {
    expect(mod.checked_div(6, 3)).toBe(2);
    expect(() => mod.checked_div(6, 0)).toThrow(/division by zero/);
    try {
      mod.checked_div(1, 0);
    } catch (e) {
      expect((e as FFIError).kind).toBe("ValueError");
    }
  });

  it("Downcast, RValueRef and device strings", () => {
    expect(mod.downcast_check()).toBe("2 Downcast from ffi.Array to ffi.Function failed");
    expect(mod.rvalue_move()).toBe("3 moved");
    expect(mod.device_id("cuda:2")).toBe(202);
    expect(() => mod.device_id("nope:1")).toThrow(/Expected `Device` but got `str`/);
  });
});
