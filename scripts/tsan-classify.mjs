// Splits ThreadSanitizer report files into warnings and counts those with a frame in the
// addon (tvm_ffi_orcjit.node) vs. those entirely in node/V8/libuv, which are not instrumented
// (TSan cannot see their atomics, so it reports races between their own threads).
//   node scripts/tsan-classify.mjs <reports dir> <addon warnings out file>
// Prints {"addon": N, "outside": M, "outsideSummaries": [...]}.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir, out] = process.argv.slice(2);
const warnings = [];
for (const f of readdirSync(dir)) {
  const text = readFileSync(join(dir, f), "utf8");
  for (const block of text.split(/^==================$/m)) if (/WARNING: ThreadSanitizer/.test(block)) warnings.push(block.trim());
}
const addon = warnings.filter((w) => /tvm_ffi_orcjit\.node/.test(w));
const outside = warnings.filter((w) => !/tvm_ffi_orcjit\.node/.test(w));
writeFileSync(out, addon.join("\n==================\n"));
const summaries = [...new Set(outside.map((w) => /^SUMMARY: ThreadSanitizer: (.*)$/m.exec(w)?.[1]?.replace(/\(BuildId: \w+\)/, "").trim() ?? "?"))];
process.stdout.write(JSON.stringify({ addon: addon.length, outside: outside.length, outsideSummaries: summaries }));
