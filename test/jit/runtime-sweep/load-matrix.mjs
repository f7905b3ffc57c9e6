// Child of runtime-sweep.test.ts: loads every compiled case of the sweep and calls it, in a
// process of its own (a case that crashes must not take the test runner with it).
// argv: <dist dir> <jobs.json>; jobs: [{ id, objects: [path], expect }].
// Prints one JSON line per job: { id, ok, value?, error?, errorClass? }; a crash shows as a
// missing line (the parent names the job that was running from the "start" lines on stderr).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dist, jobsFile] = process.argv.slice(2);
const { ExecutionSession } = await import(pathToFileURL(join(dist, "index.js")).href);
const jobs = JSON.parse(readFileSync(jobsFile, "utf8"));
const session = new ExecutionSession();
for (const job of jobs) {
  process.stderr.write(`start ${job.id}\n`);
  const out = { id: job.id, ok: false };
  const lib = session.createLibrary(job.id);
  try {
    for (const o of job.objects) lib.add(o);
    const value = lib.getFunction("run")();
    out.value = typeof value === "bigint" ? Number(value) : value;
    out.ok = out.value === job.expect;
  } catch (e) {
    out.error = String(e?.message ?? e);
    out.errorClass = e?.constructor?.name;
  }
  try {
    lib.dispose();
  } catch (e) {
    out.ok = false;
    out.error = `dispose: ${e?.message ?? e}`;
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}
session.dispose();
