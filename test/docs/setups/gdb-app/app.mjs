// docs/debugging.md: the app the gdb session debugs (the same as the block shown there).
import { loadInline } from "tvm-ffi-orcjit";

const m = await loadInline({
  name: "dbgk",
  cppSources: `int64_t dbg_target(int64_t n) {
  int64_t acc = 0;
  for (int64_t i = 0; i < n; ++i) {
    acc += i * 3;
  }
  return acc;
}
`,
  functions: ["dbg_target"],
  debug: true, // register with debuggers; -g
  optLevel: 0, // every local visible, one line at a time
});
console.log(m.dbg_target(5)); // 30
