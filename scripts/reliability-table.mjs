// Writes the generated table of docs/reliability.md from the rows the reliability tests
// recorded (build-reliability/results/*.json, written by test/reliability/helpers.ts).
//   npm test (or npx vitest run test/reliability) && node scripts/reliability-table.mjs
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = join(root, "build-reliability", "results");
const doc = join(root, "docs", "reliability.md");
const BEGIN = "<!-- BEGIN GENERATED TABLE (scripts/reliability-table.mjs) -->";
const END = "<!-- END GENERATED TABLE -->";

const order = ["fuzz", "sanitize", "refcount", "faults", "bad-args", "values-boundary", "doors", "manifest-link", "concurrency"];
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
files.sort((a, b) => (order.indexOf(a.replace(".json", "")) + 99) % 99 - (order.indexOf(b.replace(".json", "")) + 99) % 99);
const esc = (s) => String(s).replace(/\|/g, "\\|").replace(/\n/g, " ");
const dur = (ms) => (ms === undefined ? "" : ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);
const lines = ["| Door | Input / fault | Count | Duration | What held |", "|---|---|---:|---:|---|"];
let total = 0;
for (const f of files) {
  for (const r of JSON.parse(readFileSync(join(dir, f), "utf8"))) {
    lines.push(`| ${esc(r.door)} | ${esc(r.input)} | ${r.count.toLocaleString("en-US")} | ${dur(r.durationMs)} | ${esc(r.held)} |`);
    total++;
  }
}
const stamp = `_Generated ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC from ${files.length} result files, ${total} rows._`;
const block = `${BEGIN}\n${stamp}\n\n${lines.join("\n")}\n${END}`;
const text = readFileSync(doc, "utf8");
const a = text.indexOf(BEGIN);
const b = text.indexOf(END);
if (a < 0 || b < 0) throw new Error(`${doc}: generated-table markers not found`);
writeFileSync(doc, text.slice(0, a) + block + text.slice(b + END.length));
console.log(`docs/reliability.md: ${total} rows from ${files.join(", ")}`);
