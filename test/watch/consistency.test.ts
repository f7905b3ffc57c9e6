// Watch mode never loses an edit and never mixes generations: a header edited while a build
// runs (the first one included) is applied by a following build, in every library that
// includes it at once; a watched directory moved away and back (git checkout / stash) is
// watched again. Fixture "gens": top(x) = x*1000 + 100*GEN(top) + 10*GEN(mid) + GEN(base).
import { cpSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import type { ProjectBuildProgress } from "../../src/project/index.js";
import { cliMain, ensureBuilt } from "../cli/helpers.js";
import { copyFixture, nextEvent, replaceIn, startWatcher } from "./helpers.js";

const setGen = (dir: string, n: number): void => writeFileSync(path.join(dir, "include/gen.h"), `#define GEN ${n}\n`);
/** The value of top(2) when every library was built from one version `n` of gen.h. */
const whole = (n: number): number => 2000 + 111 * n;

describe("no lost edits, no mixed generations", () => {
  test("a header edited during the first build: the first load already has it in every library", async () => {
    const dir = copyFixture("gens");
    let edited = false;
    const onProgress = (e: ProjectBuildProgress): void => {
      // base is compiled, mid and top are not yet (one job at a time)
      if (e.kind === "compiled" && !edited) {
        edited = true;
        setGen(dir, 2);
      }
    };
    const w = await startWatcher(dir, { force: true, jobs: 1, onProgress });
    expect(edited).toBe(true);
    expect(w.library("top").getFunction("top")(2)).toBe(whole(2));
  });

  test("a header edited during a rebuild is applied by the next one, to all three libraries at once", async () => {
    const dir = copyFixture("gens");
    let editDuringBuild: (() => void) | undefined;
    const onProgress = (e: ProjectBuildProgress): void => {
      if (e.kind !== "start" || !editDuringBuild) return;
      const edit = editDuringBuild;
      editDuringBuild = undefined;
      edit();
    };
    const w = await startWatcher(dir, { jobs: 1, onProgress });
    const top = w.library("top").getFunction("top");
    expect(top(2)).toBe(whole(1));
    const seen: number[] = [];
    w.on("reload", () => seen.push(top(2) as number));

    // a source edit starts a rebuild; while its compiler runs, gen.h changes
    editDuringBuild = () => setGen(dir, 3);
    writeFileSync(path.join(dir, "src/base.c"), "#include <stdint.h>\n#include \"gen.h\"\nint64_t base_gen(void) { return GEN + 0; }\n");
    while (top(2) !== whole(3)) await nextEvent(w, "reload");
    expect(seen.every((v) => v === whole(1) || v === whole(3))).toBe(true);
    expect(w.library("base").generation).toBe(w.library("top").generation);
  });

  test("orcjit watch --force --run: a header edited during the first build gives the new result, never a mixed one", async () => {
    ensureBuilt();
    const dir = copyFixture("gens");
    // -v prints each compiler command as it starts: with -j 1, mid.c's means base.c is done
    const proc = execa(process.execPath, [cliMain, "watch", "--force", "-v", "-j", "1", "--debounce", "30", "--run", "top.top", "2"], {
      cwd: dir,
      reject: false,
      env: { CI: "1", NO_COLOR: "1", ORCJIT_CACHE_DIR: path.join(dir, ".cache"), ORCJIT_PROFILE: "" },
      timeout: 300_000,
    });
    let out = "";
    let edited = false;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no top.top(2) = ${whole(2)} within 120 s; output:\n${out}`)), 120_000);
      proc.stdout!.setEncoding("utf8").on("data", (t: string) => {
        out += t;
        if (out.includes(`top.top(2) = ${whole(2)}\n`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.stderr!.setEncoding("utf8").on("data", (t: string) => {
        if (!edited && t.includes("src/mid.c")) {
          edited = true;
          setGen(dir, 2);
        }
      });
    });
    try {
      await done;
    } finally {
      proc.kill("SIGINT");
      await proc;
    }
    expect(edited).toBe(true);
    const results = [...out.matchAll(/top\.top\(2\) = (\d+)/g)].map((m) => Number(m[1]));
    expect(results.every((v) => v === whole(1) || v === whole(2))).toBe(true);
  });
});

describe("edits during the first build that an event would have reported", () => {
  test("the manifest edited during the first build is applied", async () => {
    const dir = copyFixture("hot");
    let edited = false;
    const onProgress = (e: ProjectBuildProgress): void => {
      if (e.kind !== "compiled" || edited) return;
      edited = true;
      replaceIn(path.join(dir, "orcjit.yaml"), "OFFSET: 0", "OFFSET: 5");
    };
    const w = await startWatcher(dir, { force: true, jobs: 1, onProgress });
    const value = w.library("math").getFunction("value");
    while (value(1) !== 7) await nextEvent(w, "reload");
  });

  test("a broken project fixed while its first build fails: loaded without another edit", async () => {
    const dir = copyFixture("gens");
    const base = path.join(dir, "src/base.c");
    const good = readFileSync(base, "utf8");
    writeFileSync(base, good.replace("return GEN;", "return GEN +;"));
    let fixed = false;
    const onProgress = (e: ProjectBuildProgress): void => {
      // the compiler has read the broken file; the build has not returned yet
      if (e.kind !== "failed" || fixed) return;
      fixed = true;
      writeFileSync(base, good);
    };
    const w = await startWatcher(dir, { waitForFix: true, jobs: 1, onProgress });
    expect(fixed).toBe(true);
    if (!w.loaded) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("not loaded within 90 s")), 90_000);
        w.on("reload", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    expect(w.library("top").getFunction("top")(2)).toBe(whole(1));
  });
});

describe("a watched directory moved away and back (git checkout, git stash)", () => {
  const away = (dir: string): string => path.join(path.dirname(dir), `${path.basename(dir)}-away`);

  for (const how of ["renamed", "deleted"] as const) {
    test(`${how} (the build fails meanwhile), then back: it is rebuilt, and later edits in it are seen`, async () => {
      const dir = copyFixture("gens");
      const w = await startWatcher(dir);
      const top = w.library("top").getFunction("top");
      expect(top(2)).toBe(whole(1));
      const include = path.join(dir, "include");
      const saved = away(dir);
      const failed = nextEvent(w, "error");
      if (how === "renamed") renameSync(include, saved);
      else {
        cpSync(include, saved, { recursive: true });
        rmSync(include, { recursive: true });
      }
      expect((await failed).message).toMatch(/gen\.h|ffi_util\.h/);
      const back = nextEvent(w, "reload");
      if (how === "renamed") renameSync(saved, include);
      else cpSync(saved, include, { recursive: true });
      rmSync(saved, { recursive: true, force: true });
      await back;
      expect(top(2)).toBe(whole(1));
      setGen(dir, 4);
      while (top(2) !== whole(4)) await nextEvent(w, "reload");
    });
  }

  test("deleted and recreated at once (the inode number comes back): later edits in it are seen", async () => {
    const dir = copyFixture("gens");
    const w = await startWatcher(dir);
    const top = w.library("top").getFunction("top");
    const include = path.join(dir, "include");
    const saved = away(dir);
    cpSync(include, saved, { recursive: true });
    rmSync(include, { recursive: true });
    cpSync(saved, include, { recursive: true });
    rmSync(saved, { recursive: true, force: true });
    // an edit elsewhere, seen: the watcher has handled the events of the swap by then
    writeFileSync(path.join(dir, "src/base.c"), "#include <stdint.h>\n#include \"gen.h\"\nint64_t base_gen(void) { return GEN + 0; }\n");
    await nextEvent(w, "reload", (e) => e.changedFiles.includes(path.join(dir, "src/base.c")));
    setGen(dir, 4);
    while (top(2) !== whole(4)) await nextEvent(w, "reload");
  });
});
