// Quick start: C++ source text in, callable functions out, through the ORC JIT.
// Run with `npm run quickstart` after `bash scripts/setup.sh`. The second run is a cache hit:
// no compiler starts, the cached object is only hashed, read and JIT-linked.
import { loadInline, FFIError } from "tvm-ffi-orcjit";

const started = performance.now();
const mod = await loadInline({
  name: "quickstart",
  cppSources: `
    #include <string>

    int64_t add(int64_t a, int64_t b) { return a + b; }

    double mean(tvm::ffi::TensorView x) {
      TVM_FFI_ICHECK_EQ(x.ndim(), 1) << "mean expects a 1-D tensor";
      const float* p = static_cast<const float*>(x.data_ptr());
      double sum = 0;
      for (int64_t i = 0; i < x.size(0); ++i) sum += p[i];
      return x.size(0) ? sum / x.size(0) : 0.0;
    }

    tvm::ffi::String greet(tvm::ffi::String who) {
      if (who.size() == 0) TVM_FFI_THROW(ValueError) << "greet needs a name";
      return "hello, " + std::string(who) + "!";
    }
  `,
  functions: ["add", "mean", "greet"],
  onProgress: (e) => {
    if (e.kind === "start") console.log(`compiling ${e.source} ...`);
  },
});
console.log(`loaded in ${(performance.now() - started).toFixed(0)} ms`);

console.log("add(40, 2)        =", mod.add(40, 2));
console.log("greet('orcjit')   =", mod.greet("orcjit"));
console.log("mean([1, 2, 3, 4]) =", mod.mean(new Float32Array([1, 2, 3, 4]))); // zero-copy 1-D tensor view
try {
  mod.greet("");
} catch (err) {
  if (!(err instanceof FFIError)) throw err;
  console.log(`greet('') threw ${err.constructor.name} (${err.kind}): ${err.message.split("\n")[0]}`);
}
