// Seed 003 features from JS with loadInline: devices and dtypes, zero-copy tensor views both
// ways, JS functions called from C++ (and by name through the global registry), and errors
// crossing in both directions.
import assert from "node:assert/strict";
import { DataType, Device, FFIError, Tensor, loadInline, registerGlobalFunc } from "tvm-ffi-orcjit";
import { compiler } from "./common.ts";

const mod = await loadInline({
  name: `ffi_values_tour_${compiler}`,
  compiler,
  cppSources: String.raw`
    #include <tvm/ffi/container/shape.h>
    #include <cstdlib>
    namespace ffi = tvm::ffi;
    struct Alloc {
      void AllocData(DLTensor* t) { t->data = std::calloc(size_t(t->shape[0] * t->shape[1]), 4); }
      void FreeData(DLTensor* t) { std::free(t->data); }
    };
    // A C++-owned 2-D float32 tensor: JS sees its memory without a copy.
    ffi::Tensor iota(int64_t rows, int64_t cols) {
      if (rows <= 0 || cols <= 0) TVM_FFI_THROW(ValueError) << "iota: rows and cols must be positive";
      ffi::Tensor t = ffi::Tensor::FromNDAlloc(Alloc(), ffi::Shape({rows, cols}), DLDataType{kDLFloat, 32, 1}, DLDevice{kDLCPU, 0});
      for (int64_t i = 0; i < rows * cols; ++i) static_cast<float*>(t->data)[i] = float(i);
      return t;
    }
    // Scales a JS buffer in place through a callback evaluated per element.
    void map_inplace(ffi::TensorView x, ffi::Function f) {
      float* p = static_cast<float*>(x->data);
      for (int64_t i = 0; i < x->shape[0]; ++i) p[i] = float(f(double(p[i])).cast<double>());
    }
    // Calls a JS function registered under a global name.
    ffi::String greet(ffi::String who) {
      return ffi::Function::GetGlobalRequired("tour.format")(who).cast<ffi::String>();
    }
    DLDataType dtype_of(ffi::TensorView x) { return x->dtype; }
    DLDevice device_of(ffi::TensorView x) { return x->device; }
  `,
  functions: ["iota", "map_inplace", "greet", "dtype_of", "device_of"],
});

// dtypes and devices cross both ways (results are FFIResult values: narrow them to use them)
assert.equal(String(mod.dtype_of(new Float64Array(1))), "float64");
const device = mod.device_of(new Int32Array(1));
assert.ok(device instanceof Device && device.equals(Device.cpu(0)));
assert.equal(DataType.parse("float32").bits, 32);

// C++ -> JS zero-copy: writes through `data` are seen by C++ and the other way round
const t = mod.iota(2, 3);
assert.ok(t instanceof Tensor);
assert.deepEqual(t.shape, [2, 3]);
const data = t.data; // a TypedArray of the tensor's dtype
assert.ok(data instanceof Float32Array && t.buffer !== null); // CPU memory, float32
data[0] = 10;
mod.map_inplace(new Tensor(t.buffer, { dtype: "float32", byteOffset: t.byteOffset, shape: [6] }), (v: number) => v * 2);
assert.deepEqual(Array.from(data), [20, 2, 4, 6, 8, 10]);

// JS -> C++ zero-copy with a callback
const xs = new Float32Array([1, 2, 3]);
mod.map_inplace(xs, (v: number) => v + 0.5);
assert.deepEqual(Array.from(xs), [1.5, 2.5, 3.5]);

// a JS function called by name from C++
registerGlobalFunc("tour.format", (who: string) => `hello, ${who}`, { override: true });
assert.equal(mod.greet("tensors"), "hello, tensors");

// errors both ways: the JS error comes back as the same object
const boom = new RangeError("stop");
assert.throws(() => mod.map_inplace(xs, () => { throw boom; }), (e) => e === boom);
assert.throws(() => mod.iota(-1, 2), (e) => e instanceof FFIError && e.kind === "ValueError" && /must be positive/.test(e.message));
console.log(`[${compiler}] tour ok: ${t}, xs=[${Array.from(xs).join(", ")}], greet=${mod.greet("JS")}`);
