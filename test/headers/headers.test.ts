// The C++ authoring headers (native/include/tvm/ffi): every seed example under examples/cpp
// compiles unchanged with clang++-22 and g++ (-std=c++17), references only the 48 TVM-FFI C
// API functions, carries no TLS, and exports its __tvm_ffi_<name> symbols. When the JIT and
// runtime are available, the objects are loaded and called.
import { execa } from "execa";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionSession, FFIError } from "../../src/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const INCLUDE = join(ROOT, "native/include");
const HEADERS = join(INCLUDE, "tvm/ffi");
const EXAMPLES = join(ROOT, "examples/cpp");
const PROBE = join(ROOT, "test/headers/fixtures/probe.cc");

/** The 38 functions of c_api.h and the 10 of extra/c_env_api.h (TVM_FFI_ABI.md §2). */
const C_API_48 = new Set([
  "TVMFFIGetVersion", "TVMFFIObjectIncRef", "TVMFFIObjectDecRef", "TVMFFIObjectCreateOpaque",
  "TVMFFIGetCustomAllocator", "TVMFFISetCustomAllocator", "TVMFFITypeKeyToIndex",
  "TVMFFIFunctionCreate", "TVMFFIFunctionGetGlobal", "TVMFFIAnyViewToOwnedAny",
  "TVMFFIFunctionCall", "TVMFFIErrorMoveFromRaised", "TVMFFIErrorSetRaised",
  "TVMFFIErrorSetRaisedFromCStr", "TVMFFIErrorSetRaisedFromCStrParts", "TVMFFIErrorCreate",
  "TVMFFIErrorCreateWithCauseAndExtraContext", "TVMFFITensorFromDLPack", "TVMFFITensorToDLPack",
  "TVMFFITensorFromDLPackVersioned", "TVMFFITensorToDLPackVersioned",
  "TVMFFITensorCreateUnsafeView", "TVMFFIStringFromByteArray", "TVMFFIBytesFromByteArray",
  "TVMFFIDataTypeFromString", "TVMFFIDataTypeToString", "TVMFFIFunctionSetGlobal",
  "TVMFFIFunctionSetGlobalFromMethodInfo", "TVMFFITypeRegisterField", "TVMFFITypeRegisterMethod",
  "TVMFFITypeRegisterMetadata", "TVMFFITypeRegisterAttr", "TVMFFIGetTypeAttrColumn",
  "TVMFFIBacktrace", "TVMFFITypeGetOrAllocIndex", "TVMFFIGetTypeInfo", "TVMFFIHandleInitOnce",
  "TVMFFIHandleDeinitOnce",
  "TVMFFIEnvSetStream", "TVMFFIEnvGetStream", "TVMFFIEnvSetDLPackManagedTensorAllocator",
  "TVMFFIEnvGetDLPackManagedTensorAllocator", "TVMFFIEnvTensorAlloc", "TVMFFIEnvCheckSignals",
  "TVMFFIEnvRegisterCAPI", "TVMFFIEnvModLookupFromImports", "TVMFFIEnvModRegisterContextSymbol",
  "TVMFFIEnvModRegisterSystemLibSymbol",
]);

/** The __tvm_ffi_<name> symbols each example must define. */
const EXPECTED_EXPORTS: Record<string, string[]> = {
  "add.cc": ["add"],
  "add_c.c": ["add"],
  "add_one.cc": ["add_one"],
  "add_one_cpu.cc": ["add_one_cpu"],
  "add_one_tensor.cc": ["add_one"],
  "intpair_raise_error.cc": [],
  "math_ops.cc": ["simple_add"],
  "my_function.cc": ["my_function"],
  "string_ops.cc": ["string_concat"],
};

interface Compiler {
  id: "clang" | "gcc";
  cc: string;
  cxx: string;
}
const COMPILERS: Compiler[] = [
  { id: "clang", cc: "clang-22", cxx: "clang++-22" },
  { id: "gcc", cc: "gcc", cxx: "g++" },
];

const SOURCES = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".cc") || f.endsWith(".c"))
  .sort();

let outDir: string;
const objects = new Map<string, string>(); // `${compiler}/${file}` → object path
const compileLogs = new Map<string, string>(); // same key → compiler stderr

function objectPath(cc: Compiler, file: string): string {
  const obj = objects.get(`${cc.id}/${file}`);
  if (!obj) throw new Error(`not compiled: ${cc.id}/${file}`);
  return obj;
}

async function compile(cc: Compiler, src: string, extraFlags: string[] = []): Promise<string> {
  const isC = extname(src) === ".c";
  const out = join(outDir, `${cc.id}-${basename(src)}.o`);
  const args = [
    ...(isC ? [] : ["-std=c++17"]),
    "-fPIC", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter",
    ...extraFlags, "-c", "-I", INCLUDE, src, "-o", out,
  ];
  const r = await execa(isC ? cc.cc : cc.cxx, args, { reject: false });
  if (r.exitCode !== 0) {
    throw new Error(`${isC ? cc.cc : cc.cxx} ${args.join(" ")} failed:\n${r.stderr}`);
  }
  compileLogs.set(`${cc.id}/${basename(src)}`, r.stderr);
  return out;
}

async function undefinedTVMFFI(obj: string): Promise<string[]> {
  const { stdout } = await execa("nm", ["-u", obj]);
  return stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/).pop() ?? "")
    .filter((s) => s.startsWith("TVMFFI"));
}

async function definedGlobals(obj: string): Promise<Set<string>> {
  const { stdout } = await execa("nm", ["-g", "--defined-only", obj]);
  return new Set(stdout.split("\n").map((l) => l.trim().split(/\s+/).pop() ?? ""));
}

/** TLS relocation types and TLS symbols, if any. */
async function tlsUses(obj: string): Promise<string[]> {
  const relocs = (await execa("readelf", ["-rW", obj])).stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 2 && /^R_X86_64_|^R_AARCH64_/.test(f[2] ?? ""))
    .map((f) => f[2] as string)
    .filter((t) => /TLS|TPOFF|DTPMOD|DTPOFF|TLSDESC/.test(t));
  const syms = (await execa("readelf", ["-sW", obj])).stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[3] === "TLS")
    .map((f) => `symbol ${f[7]}`);
  return [...relocs, ...syms];
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "orcjit-headers-"));
  const jobs: Promise<void>[] = [];
  for (const cc of COMPILERS) {
    for (const file of [...SOURCES.map((f) => join(EXAMPLES, f)), PROBE]) {
      jobs.push(
        compile(cc, file).then((obj) => {
          objects.set(`${cc.id}/${basename(file)}`, obj);
        }),
      );
    }
  }
  await Promise.all(jobs);
}, 300_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe("header tree", () => {
  it("every example has its expected exports listed", () => {
    expect(SOURCES.sort()).toEqual(Object.keys(EXPECTED_EXPORTS).sort());
  });

  it("never uses thread_local in code the headers inline into user objects", () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".h")) {
          readFileSync(p, "utf8")
            .split("\n")
            .forEach((line, i) => {
              const code = line.replace(/\/\/.*$/, "").replace(/\/\*.*?\*\//g, "");
              if (/^\s*\*/.test(line)) return; // block-comment continuation
              if (/\bthread_local\b|__thread\b|_Thread_local\b/.test(code)) offenders.push(`${p}:${i + 1}`);
            });
        }
      }
    };
    walk(HEADERS);
    expect(offenders).toEqual([]);
  });
});

describe.each(COMPILERS)("$id: seed examples compile verbatim", (cc) => {
  it.each(SOURCES)("%s: compiles, uses only the C API, no TLS, exports its symbols", async (file) => {
    const obj = objectPath(cc, file);
    const undef = await undefinedTVMFFI(obj);
    expect(undef.filter((s) => !C_API_48.has(s))).toEqual([]);
    expect(await tlsUses(obj)).toEqual([]);
    const defined = await definedGlobals(obj);
    for (const name of EXPECTED_EXPORTS[file] ?? []) {
      expect(defined.has(`__tvm_ffi_${name}`), `__tvm_ffi_${name} defined`).toBe(true);
    }
    // The headers themselves are warning-free under -Wall -Wextra.
    const log = compileLogs.get(`${cc.id}/${file}`) ?? "";
    expect(log.split("\n").filter((l) => l.includes("native/include"))).toEqual([]);
  });

  it("a typed export references only the core C functions", async () => {
    const undef = await undefinedTVMFFI(objectPath(cc, "add.cc"));
    expect(new Set(undef)).toEqual(
      new Set(["TVMFFIBacktrace", "TVMFFIErrorSetRaised", "TVMFFIErrorSetRaisedFromCStr", "TVMFFIGetTypeInfo"]),
    );
  });

  it("the umbrella header and the probe fixture compile warning-free", async () => {
    const obj = objectPath(cc, "probe.cc");
    expect((await undefinedTVMFFI(obj)).filter((s) => !C_API_48.has(s))).toEqual([]);
    expect(await tlsUses(obj)).toEqual([]);
    const log = compileLogs.get(`${cc.id}/probe.cc`) ?? "";
    expect(log.split("\n").filter((l) => l.includes("native/include"))).toEqual([]);
  });

  it("metadata builds add __tvm_ffi__metadata_<name>", async () => {
    const src = join(outDir, `${cc.id}-meta.cc`);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      src,
      '#include <tvm/ffi/function.h>\nint add(int a, int b) { return a + b; }\n' +
        "TVM_FFI_DLL_EXPORT_TYPED_FUNC(add, add);\n" +
        'TVM_FFI_DLL_EXPORT_TYPED_FUNC_DOC(add, "Adds \\"two\\" ints.");\n',
    );
    const plain = await definedGlobals(await compile(cc, src));
    expect(plain.has("__tvm_ffi__metadata_add")).toBe(false);
    expect(plain.has("__tvm_ffi__doc_add")).toBe(false);
    const meta = await definedGlobals(await compile(cc, src, ["-DTVM_FFI_DLL_EXPORT_INCLUDE_METADATA=1"]));
    expect(meta.has("__tvm_ffi__metadata_add")).toBe(true);
    expect(meta.has("__tvm_ffi__doc_add")).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Run: load the objects into the JIT and call them.
// ---------------------------------------------------------------------------------------------

function ffiError(fn: () => unknown): FFIError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FFIError) return e;
    throw e;
  }
  throw new Error("expected an FFIError");
}

describe("run through the JIT", () => {
  let session: ExecutionSession;
  beforeAll(() => {
    session = new ExecutionSession();
  });
  afterAll(() => session?.dispose());

  describe.each(COMPILERS)("$id objects", (cc) => {
    it("seed 001 add (C++ lambda): add(1, 2) = 3, bool accepted for int", () => {
      const lib = session.createLibrary(`${cc.id}-add`);
      lib.add(objectPath(cc, "add.cc"));
      const add = lib.getFunction("add");
      expect(add(1, 2)).toBe(3);
      expect(add(3, true)).toBe(4);
      expect(add(-7, 2)).toBe(-5);
    });

    it("typed export raises TypeError naming the signature on bad arguments", () => {
      const lib = session.createLibrary(`${cc.id}-add-err`);
      lib.add(objectPath(cc, "add.cc"));
      const add = lib.getFunction("add");
      const typeErr = ffiError(() => add(1, 2.5));
      expect(typeErr.kind).toBe("TypeError");
      expect(typeErr.message).toContain(
        "Mismatched type on argument #1 when calling: `add(0: int, 1: int) -> int`. Expected `int` but got `float`",
      );
      const countErr = ffiError(() => add(1));
      expect(countErr.kind).toBe("TypeError");
      expect(countErr.message).toContain(
        "Mismatched number of arguments when calling: `add(0: int, 1: int) -> int`. Expected 2 but got 1 arguments",
      );
      const strErr = ffiError(() => add("x", 1));
      expect(strErr.message).toContain("Mismatched type on argument #0");
      expect(strErr.message).toContain("but got `str`");
    });

    it("metadata build: __tvm_ffi__metadata_<name> and __tvm_ffi__doc_<name> callable", async () => {
      const { writeFileSync } = await import("node:fs");
      const src = join(outDir, `${cc.id}-meta-run.cc`);
      writeFileSync(
        src,
        '#include <tvm/ffi/function.h>\nint add(int a, int b) { return a + b; }\n' +
          "TVM_FFI_DLL_EXPORT_TYPED_FUNC(add, add);\n" +
          'TVM_FFI_DLL_EXPORT_TYPED_FUNC_DOC(add, "Adds two ints.");\n',
      );
      const obj = await compile(cc, src, ["-DTVM_FFI_DLL_EXPORT_INCLUDE_METADATA=1"]);
      const lib = session.createLibrary(`${cc.id}-meta`);
      lib.add(obj);
      expect(lib.getFunction("add")(2, 3)).toBe(5);
      const meta = JSON.parse(lib.getFunction("_metadata_add")() as string);
      expect(JSON.parse(meta.type_schema)).toEqual({
        type: "ffi.Function",
        args: [{ type: "int" }, { type: "int" }, { type: "int" }],
      });
      expect(lib.getFunction("_doc_add")()).toBe("Adds two ints.");
    });

    it("seed 001 pure C add", () => {
      const lib = session.createLibrary(`${cc.id}-add-c`);
      lib.add(objectPath(cc, "add_c.c"));
      expect(lib.getFunction("add")(40, 2)).toBe(42);
    });

    it("seed 002 add_one and seed 000 my_function", () => {
      const lib = session.createLibrary(`${cc.id}-add-one`);
      lib.add(objectPath(cc, "add_one.cc"));
      expect(lib.getFunction("add_one")(41)).toBe(42);
      const lib2 = session.createLibrary(`${cc.id}-my-function`);
      lib2.add(objectPath(cc, "my_function.cc"));
      expect(lib2.getFunction("my_function")(2, 3)).toBe(5);
    });

    it("seed 000 incremental loading: math_ops.o then string_ops.o in one library", () => {
      const lib = session.createLibrary(`${cc.id}-incremental`);
      lib.add(objectPath(cc, "math_ops.cc"));
      const simpleAdd = lib.getFunction("simple_add");
      expect(simpleAdd(10, 20)).toBe(30);
      lib.add(objectPath(cc, "string_ops.cc"));
      const concat = lib.getFunction("string_concat");
      expect(concat("Hello", "World")).toBe("HelloWorld");
      expect(concat("a", "b")).toBe("ab"); // small string (<= 7 bytes)
      expect(concat("a long string ", "with a heap result")).toBe("a long string with a heap result");
      expect(simpleAdd(1, 2)).toBe(3);
    });

    // probe.cc and add_one_cpu.cc go in separate libraries (probe links against the other):
    // see "multi-object exception" below for why not one library.
    function probeLib(tag: string) {
      const cpu = session.createLibrary(`${cc.id}-${tag}-cpu`);
      cpu.add(objectPath(cc, "add_one_cpu.cc"));
      const lib = session.createLibrary(`${cc.id}-${tag}`);
      lib.setLinkOrder([cpu]);
      lib.add(objectPath(cc, "probe.cc"));
      return lib;
    }

    it("strings, bytes, dtypes and C++ errors with file:line", () => {
      const lib = probeLib("probe-basic");
      expect(lib.getFunction("echo")("abc")).toBe("abcabc");
      expect(lib.getFunction("echo")("0123456789")).toBe("01234567890123456789");
      expect(lib.getFunction("dtype_string")("float32")).toBe("float32");
      const bytes = lib.getFunction("echo_bytes")(new Uint8Array([1, 2, 3, 250]));
      expect(Array.from(bytes as Uint8Array)).toEqual([1, 2, 3, 250]);
      const err = ffiError(() => lib.getFunction("throw_value_error")("oops"));
      expect(err.kind).toBe("ValueError");
      expect(err.message).toContain("bad value: oops");
      expect(err.backtrace).toMatch(/probe\.cc", line \d+/);
      const chk = ffiError(() => lib.getFunction("check_eq")(1, 2));
      expect(chk.kind).toBe("InternalError");
      expect(chk.message).toContain("Check failed: a == b (1 vs. 2): values differ");
    });

    it("functions created in C++: closures, TypedFunction, cpp_call", () => {
      const lib = probeLib("probe-fn");
      expect(lib.getFunction("call_adder")(10, 5)).toBe(15);
    });

    it("containers: Array, Map (hashed), Optional, Shape, small/heap strings", () => {
      const lib = probeLib("probe-containers");
      expect(lib.getFunction("containers")(20)).toBe(
        "arr=20,100,0,sum=2470 map=19,20,0,1,-1 any=20,19,0 opt=011 shape=3,24,[2, 3, 4] str=11,65,1",
      );
    });

    it("seed 004 add_one_cpu on Tensor objects and DLTensor* (called from C++)", () => {
      const lib = probeLib("probe-tensor");
      expect(lib.getFunction("tensor_add_one")(5)).toBe(15);
      expect(lib.getFunction("tensor_wrong_dtype")()).toBe(
        "InternalError: Check failed: (x->dtype == f32_dtype) is false: x must be a float tensor",
      );
    });

    // Two C++ objects in ONE library sharing inline code (seed 000's math_ops.o +
    // string_ops.o): exceptions through the second object's frames used to reach
    // std::terminate (a gap in its .eh_frame; fixed by native/src/jit/llvm_patches/eh_frame_fix.h).
    it(
      "multi-object exception: errors raised in either object of one library",
      () => {
        const lib = session.createLibrary(`${cc.id}-multi-eh`);
        lib.add(objectPath(cc, "math_ops.cc"));
        lib.add(objectPath(cc, "string_ops.cc"));
        expect(lib.getFunction("simple_add")(1, 2)).toBe(3);
        expect(lib.getFunction("string_concat")("a", "b")).toBe("ab");
        expect(ffiError(() => lib.getFunction("simple_add")("x", 2)).kind).toBe("TypeError");
        expect(ffiError(() => lib.getFunction("string_concat")(1, 2)).kind).toBe("TypeError");
      },
    );
  });

  // Global registration is process-wide: seed 002's object is loaded once (clang build).
  it("seed 002 IntPair / raise_error: static-init registration, reflection, error backtrace", () => {
    const cc = COMPILERS[0] as Compiler;
    const intpair = session.createLibrary("intpair");
    intpair.add(objectPath(cc, "intpair_raise_error.cc"));
    // The object exports no __tvm_ffi_ symbol: link() runs its constructors (registration).
    intpair.link();
    const cpu = session.createLibrary("intpair-cpu");
    cpu.add(objectPath(cc, "add_one_cpu.cc"));
    const lib = session.createLibrary("intpair-probe");
    lib.setLinkOrder([cpu]);
    lib.add(objectPath(cc, "probe.cc"));
    expect(lib.getFunction("has_global")("my_ffi_extension.raise_error")).toBe(true);
    const err = ffiError(() =>
      lib.getFunction("call_global")("my_ffi_extension.raise_error", "error happens"),
    );
    expect(err.kind).toBe("RuntimeError");
    expect(err.message).toContain("error happens");
    expect(err.backtrace).toMatch(/intpair_raise_error\.cc", line 44/);
    expect(err.backtrace).toContain("my_ffi_extension::RaiseError");
    expect(lib.getFunction("reflect_intpair")()).toBe(
      "key=my_ffi_extension.IntPair index_ok=1 depth=1 a=7 b=9 get_first=7 static_get_second=9 has_metadata=1 err=TypeError",
    );
  });
});
