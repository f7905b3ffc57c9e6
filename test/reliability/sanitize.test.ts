// ASan + UBSan run of the native code (scripts/sanitize.sh → build-asan/): runtime_selftest
// with LeakSanitizer, then the JIT-facing suites (test/jit, test/inline and the in-process
// reliability suites) through node with the ASan addon. Zero sanitizer reports required.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { expect, it } from "vitest";
import { record, ROOT } from "./helpers.js";

it("native tests are clean under AddressSanitizer + UBSan", async () => {
  const r = await execa("bash", [join(ROOT, "scripts/sanitize.sh")], { cwd: ROOT, reject: false, all: true });
  expect(r.exitCode, r.all?.slice(-8000)).toBe(0);
  const res = JSON.parse(readFileSync(join(ROOT, "build-asan/sanitize-result.json"), "utf8")) as { buildSeconds: number; testSeconds: number; selftest: string; vitest: { files: number; tests: number; passed: number; failed: number }; suites: string; reports: number };
  expect(res.reports).toBe(0);
  // Skipped tests (the RSS-bound ones under ASan, ORCJIT_UNDER_SANITIZER) are neither.
  expect(res.vitest.failed).toBe(0);
  expect(res.vitest.passed).toBeGreaterThan(0);
  record("sanitize", { door: "native code (ASan+UBSan)", input: `runtime_selftest (${res.selftest}) + ${res.vitest.tests} vitest tests in ${res.vitest.files} files (${res.suites})`, count: res.vitest.tests, held: "0 sanitizer reports, 0 leaks in the self-test", durationMs: res.testSeconds * 1000 });
}, 30 * 60_000);
