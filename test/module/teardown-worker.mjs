// Worker of test/module/teardown.test.ts (run with --expose-gc): loads the same object 2,000
// times without disposing, forcing GC, and reports destructor runs and RSS.
import { readFileSync } from "node:fs";
const { loadModule, registerGlobalFunc } = await import(process.argv[2]);
const bytes = readFileSync(process.argv[3]);
const total = Number(process.argv[4]);
let dtors = 0;
registerGlobalFunc("teardown_test.dtor", () => { dtors++; });
const settle = async () => {
  for (let i = 0; i < 3; ++i) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r)); // FinalizationRegistry callbacks run here
  }
};
// In its own (synchronous) frame, so that no handle of the last module stays on the stack.
const once = (i) => {
  const mod = loadModule(bytes, { name: `m${i}` });
  const f = mod.value; // a function handed out: the library lives until it goes too
  return f();
};
let sum = 0;
let rssAt100 = 0;
for (let i = 1; i <= total; ++i) {
  sum += once(i);
  if (i % 50 === 0) await settle();
  if (i === 100) rssAt100 = process.memoryUsage().rss;
}
await settle();
await settle();
const rssEnd = process.memoryUsage().rss;
const dtorsLoop = dtors;

// A function handed out keeps its library alive after the Module is gone; an explicit
// dispose() stays deterministic.
let kept = (() => loadModule(bytes, { name: "kept" }).value)();
await settle();
const keptAlive = { dtorsWhileHeld: dtors - dtorsLoop, value: kept() };
kept = undefined;
await settle();
const keptReleased = dtors - dtorsLoop;
const explicit = loadModule(bytes, { name: "explicit" });
explicit.dispose();
const afterExplicit = dtors - dtorsLoop;
// A module whose ffiModule was read may be held by native code JS cannot see: it stays.
const beforeEscaped = dtors;
(() => void loadModule(bytes, { name: "escaped" }).ffiModule)();
for (let i = 0; i < 5; ++i) await settle();
const escapedDtors = dtors - beforeEscaped;
console.log(JSON.stringify({ sum, dtors: dtorsLoop, rssAt100, rssEnd, keptAlive, keptReleased, afterExplicit, escapedDtors }));
