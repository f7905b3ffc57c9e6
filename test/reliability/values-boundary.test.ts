// The value layer's doors: bad tensors (mis-sized, strides past the data, detached buffers,
// non-contiguous views), JS callbacks that throw (many times), and refcounts of tensors,
// functions and objects that cross into JS and are dropped there (released by GC). The count
// is the runtime's live objects plus what the kernel itself tracks (header-allocated tensors
// and function closures).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionSession, loadInline, Tensor, type LoadedModule } from "../../src/index.js";
import { record, thrown, tmp } from "./helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const CXX = `
#include <tvm/ffi/container/shape.h>
#include <cstdlib>
namespace ffi = tvm::ffi;
extern "C" int64_t OrcjitDebugLiveObjects(void);
// Objects the headers allocate (malloc) are not in the runtime's counter: count them here.
static int64_t g_cpp_live = 0;
struct Tracker { Tracker() { ++g_cpp_live; } Tracker(const Tracker&) { ++g_cpp_live; } ~Tracker() { --g_cpp_live; } };
int64_t live() { return OrcjitDebugLiveObjects() + g_cpp_live; }
struct Alloc {
  void AllocData(DLTensor* t) { ++g_cpp_live; t->data = std::calloc(size_t(t->shape[0]), 4); }
  void FreeData(DLTensor* t) { --g_cpp_live; std::free(t->data); }
};
ffi::Tensor make(int64_t n) {
  ffi::Tensor t = ffi::Tensor::FromNDAlloc(Alloc(), ffi::Shape({n}), DLDataType{kDLFloat, 32, 1}, DLDevice{kDLCPU, 0});
  static_cast<float*>(t->data)[0] = 3.5f;
  return t;
}
// Sums a float32 tensor of any layout through its strides.
double strided_sum(ffi::TensorView x) {
  double s = 0;
  const float* p = static_cast<const float*>(x->data);
  if (x->ndim == 1) { for (int64_t i = 0; i < x->shape[0]; ++i) s += p[i * (x->strides ? x->strides[0] : 1)]; return s; }
  for (int64_t i = 0; i < x->shape[0]; ++i)
    for (int64_t j = 0; j < x->shape[1]; ++j)
      s += p[i * x->strides[0] + j * x->strides[1]];
  return s;
}
int64_t contiguous(ffi::TensorView x) { return x.IsContiguous() ? 1 : 0; }
double apply(ffi::Function f, double x) { return f(x).cast<double>(); }
ffi::Function make_adder(int64_t k) { Tracker t; return ffi::Function::FromTyped([k, t](int64_t x) { return x + k; }); }
int64_t length(ffi::TensorView x) { return x->shape[0]; }
`;

let session: ExecutionSession;
let mod: LoadedModule<"live" | "make" | "strided_sum" | "contiguous" | "apply" | "make_adder" | "length">;

beforeAll(async () => {
  session = new ExecutionSession();
  mod = (await loadInline({ name: "values_boundary", cppSources: CXX, functions: ["live", "make", "strided_sum", "contiguous", "apply", "make_adder", "length"], cacheDir: tmp("values"), session }));
});
afterAll(() => session.dispose());

const serves = () => expect(mod.length(new Float32Array(3))).toBe(3);

describe("bad tensors", () => {
  const cases: [string, () => unknown][] = [
    ["shape larger than the data", () => new Tensor(new Float32Array(6), { shape: [4, 2] })],
    ["shape smaller than the data (no strides)", () => new Tensor(new Float32Array(6), { shape: [5] })],
    ["strides reaching past the data", () => new Tensor(new Float32Array(6), { shape: [2, 3], strides: [3, 2] })],
    ["negative shape", () => new Tensor(new Float32Array(6), { shape: [-6] })],
    ["byteOffset not aligned to the element", () => new Tensor(new ArrayBuffer(64), { dtype: "float32", byteOffset: 2, shape: [4] })],
    ["byteOffset past the buffer", () => new Tensor(new ArrayBuffer(16), { dtype: "float32", byteOffset: 32, shape: [1] })],
    ["unknown dtype", () => new Tensor(new ArrayBuffer(16), { dtype: "float33", shape: [4] })],
    ["detached buffer at construction", () => { const b = new ArrayBuffer(16); structuredClone(b, { transfer: [b] }); return new Tensor(b, { dtype: "float32", shape: [4] }); }],
  ];
  for (const [name, make] of cases) {
    it(`${name} → TypeError/RangeError`, () => {
      const e = thrown(make);
      expect(e.name).toMatch(/TypeError|RangeError/);
      serves();
      record("values-boundary", { door: "tensors", input: name, count: 1, held: `${e.name}: ${e.message.slice(0, 80)}` });
    });
  }

  it("a tensor's buffer cannot be detached (pinned); a detached typed array → TypeError when passed", () => {
    const buf = new ArrayBuffer(16);
    const t = new Tensor(buf, { dtype: "float32", shape: [4] });
    const arr = new Float32Array(new ArrayBuffer(16));
    try {
      structuredClone(buf, { transfer: [buf] }); // pinned: copies (Node 20) or DataCloneError
    } catch (e) {
      expect((e as Error).name).toBe("DataCloneError");
    }
    structuredClone(arr.buffer, { transfer: [arr.buffer] });
    expect(buf.byteLength).toBe(16);
    expect(mod.length(t)).toBe(4);
    const e = thrown(() => mod.length(arr));
    expect(e.name).toBe("TypeError");
    expect(e.message).toMatch(/detached/);
    serves();
    record("values-boundary", { door: "tensors", input: "transfer of a Tensor's buffer; Float32Array whose buffer is detached before the call", count: 2, held: "the tensor's buffer stays (pinned); TypeError naming the detached buffer" });
  });

  it("non-contiguous views arrive with their strides (no silent compaction)", () => {
    const data = Float32Array.from({ length: 6 }, (_, i) => i + 1); // [[1,2,3],[4,5,6]]
    const transposed = new Tensor(data, { shape: [3, 2], strides: [1, 3] });
    expect(mod.contiguous(transposed)).toBe(0);
    expect(mod.strided_sum(transposed)).toBe(21);
    const everyOther = new Tensor(data, { shape: [3], strides: [2] }); // 1, 3, 5
    expect(mod.strided_sum(everyOther)).toBe(9);
    expect(mod.contiguous(new Tensor(data, { shape: [2, 3] }))).toBe(1);
    record("values-boundary", { door: "tensors", input: "transposed and strided views", count: 3, held: "strides preserved; IsContiguous() false; sums exact" });
  });

  it("a typed array where an int64 is expected, and an int64 where a tensor is expected", () => {
    // a TypeError either way: a JS TypeError from the signature check before the native call,
    // or an FFIError whose kind (and so name) is TypeError from the C++ argument cast
    expect(thrown(() => mod.make(new Float32Array(2)))).toMatchObject({ name: "TypeError" });
    expect(thrown(() => mod.length(5))).toMatchObject({ name: "TypeError" });
    serves();
  });
});

describe("callbacks that throw", () => {
  it("a JS exception in a callback comes back as the same error, 500 times; calls keep working", () => {
    const before = mod.live() as number;
    for (let i = 0; i < 500; i++) {
      const err = new RangeError(`boom ${i}`);
      expect(thrown(() => mod.apply(() => { throw err; }, 1))).toBe(err);
      expect(mod.apply((x: number) => x * 2, i)).toBe(2 * i);
    }
    record("values-boundary", { door: "in-process fault", input: "JS callback throws (RangeError) inside a C++ kernel", count: 500, held: `the same JS error object each time; next call right; live objects ${before} → ${mod.live() as number}` });
  });
});

async function quiesce(): Promise<number> {
  // GC until the N-API finalizers that drop native references stop changing the count
  // (polls the condition; no timing involved).
  let now = mod.live() as number;
  for (let round = 0, stable = 0; round < 200 && stable < 3; round++) {
    gc();
    await new Promise((r) => setImmediate(r));
    const next = mod.live() as number;
    stable = next === now ? stable + 1 : 0;
    now = next;
  }
  return now;
}

describe("refcounts of values that cross into JS", () => {
  const N = 2000;
  const cases: [string, () => void][] = [
    ["tensors made by C++, dropped by JS", () => expect((mod.make(16) as Tensor).data[0]).toBe(3.5)],
    ["JS tensors passed to C++", () => expect(mod.length(new Tensor(new Float32Array(8), { shape: [8] }))).toBe(8)],
    ["JS functions passed as callbacks", () => expect(mod.apply((x: number) => x + 1, 1)).toBe(2)],
    ["C++ functions returned to JS and called", () => expect((mod.make_adder(2) as (x: number) => number)(40)).toBe(42)],
  ];
  for (const [name, once] of cases) {
    it(name, async () => {
      once();
      const before = await quiesce();
      for (let i = 0; i < N; i++) once();
      const peak = mod.live() as number;
      const after = await quiesce();
      expect(after).toBeLessThanOrEqual(before);
      record("values-boundary", { door: "refcounts", input: `${name} (released by GC)`, count: N, held: `live runtime objects ${before} → peak ${peak} → ${after} after GC` });
    });
  }
});
