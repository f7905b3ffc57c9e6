// In-process faults become JS errors and the process keeps serving: an error raised by a
// kernel, C++ exceptions (std and non-std, `throw 42`) escaping a raw safe-call function or a
// typed function, an abort-style runtime failure (TVMFFIGetTypeInfo of an unknown type
// index: the reference runtime aborts, ours raises and returns NULL), a throwing static
// constructor. After each fault a later call must work.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionSession, FFIError, LinkError, loadInline, type LoadedModule } from "../../src/index.js";
import { record, thrown, tmp } from "./helpers.js";

const CXX = `
#include <stdexcept>
int64_t add(int64_t a, int64_t b) { return a + b; }
int64_t throw_int(int64_t x) { if (x >= 0) throw 42; return x; }
int64_t throw_std(int64_t x) { if (x >= 0) throw std::out_of_range("index " + std::to_string(x)); return x; }
struct NotAnException { int code; };
int64_t throw_struct(int64_t x) { if (x >= 0) throw NotAnException{7}; return x; }
extern "C" TVM_FFI_DLL_EXPORT int __tvm_ffi_raw_throw_int(void*, const TVMFFIAny*, int32_t, TVMFFIAny*) { throw 42; }
extern "C" TVM_FFI_DLL_EXPORT int __tvm_ffi_raw_throw_std(void*, const TVMFFIAny*, int32_t, TVMFFIAny*) { throw std::runtime_error("escaped"); }
extern "C" TVM_FFI_DLL_EXPORT int __tvm_ffi_unknown_type(void*, const TVMFFIAny*, int32_t, TVMFFIAny* r) {
  const TVMFFITypeInfo* info = TVMFFIGetTypeInfo(987654);
  if (info == nullptr) return -1;  // the runtime raised IndexError
  r->type_index = kTVMFFIInt; r->v_int64 = info->type_index; return 0;
}
extern "C" TVM_FFI_DLL_EXPORT int __tvm_ffi_raise(void*, const TVMFFIAny*, int32_t, TVMFFIAny*) {
  TVMFFIErrorSetRaisedFromCStr("ValueError", "raised on purpose");
  return -1;
}
extern "C" TVM_FFI_DLL_EXPORT int __tvm_ffi_fail_silently(void*, const TVMFFIAny*, int32_t, TVMFFIAny*) { return -1; }
`;

let mod: LoadedModule<"add" | "throw_int" | "throw_std" | "throw_struct">;
let session: ExecutionSession;
const cacheDir = tmp("faults");

beforeAll(async () => {
  session = new ExecutionSession();
  mod = (await loadInline({ name: "faults", cppSources: CXX, functions: ["add", "throw_int", "throw_std", "throw_struct"], cacheDir, session }));
});
afterAll(() => session.dispose());

function stillServes(): void {
  expect(mod.add(2, 3)).toBe(5);
}

describe("in-process faults", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["typed function throws 42", () => mod.add !== undefined && mod.throw_int(1), /InternalError/],
    ["typed function throws std::out_of_range", () => mod.throw_std(3), /index 3/],
    ["typed function throws a non-std struct", () => mod.throw_struct(1), /InternalError/],
    ["raw safe-call lets `throw 42` escape", () => mod.getFunction("raw_throw_int")(), /unknown C\+\+ exception escaped 'raw_throw_int'/],
    ["raw safe-call lets std::runtime_error escape", () => mod.getFunction("raw_throw_std")(), /escaped/],
    ["TVMFFIGetTypeInfo(unknown index)", () => mod.getFunction("unknown_type")(), /IndexError.*unknown type index 987654/],
    ["kernel raises ValueError", () => mod.getFunction("raise")(), /ValueError: raised on purpose/],
    ["kernel returns -1 without raising", () => mod.getFunction("fail_silently")(), /returned -1 without raising/],
  ];
  for (const [name, call, message] of cases) {
    it(`${name}: a JS error, then the process keeps serving`, () => {
      const n = 50;
      for (let i = 0; i < n; i++) {
        const e = thrown(call);
        expect(e).toBeInstanceOf(FFIError);
        expect(String(e)).toMatch(message); // "Kind: message"
        stillServes();
      }
      record("faults", { door: "in-process fault", input: name, count: n, held: "FFIError each time; next call returns the right value" });
    });
  }

  it("a static constructor that throws a non-std value: LinkError, session keeps working", async () => {
    const m = await loadInline({ name: "ctor_throw", cppSources: "struct T { T() { throw 42; } } t;\nint64_t one() { return 1; }", functions: ["one"], cacheDir, session }).catch((e: Error) => e);
    expect(m).toBeInstanceOf(LinkError);
    expect((m as Error).message).toMatch(/static initializer threw a non-std exception/);
    stillServes();
    record("faults", { door: "in-process fault", input: "static constructor throws 42", count: 1, held: "LinkError; other libraries keep serving" });
  });
});
