// Cache poisoning by another local user (issue 19, items 1 and 2). The attack kit is real: a
// self-consistent entry (its key is the hash of the victim's base key and dependencies) that
// points at a different, valid object. Planted where this user would trust it, it IS served
// (the control below); planted by another uid, or in a place others can write, it never is.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileUnits } from "../../src/compiler/index.js";
import { CacheError } from "../../src/errors.js";
import { sha256 } from "../../src/util/hash.js";
import { cleanupTempDirs, copyFixtures, tempDir } from "../compiler/helpers.js";

afterAll(cleanupTempDirs);

const isRoot = process.getuid?.() === 0;
const OTHER = 12345;
const me = `user-${process.getuid?.() ?? 0}`;
const hasSetpriv = (() => {
  try {
    execFileSync("setpriv", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** Runs `cp -a kit/. dest/` as another uid (setpriv), or copies and chowns (as root). */
function plantAsOtherUser(kit: string, dest: string): void {
  if (hasSetpriv) {
    execFileSync("setpriv", [`--reuid=${OTHER}`, `--regid=${OTHER}`, "--clear-groups", "--", "cp", "-r", `${kit}/.`, dest]);
    return;
  }
  cpSync(kit, dest, { recursive: true });
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      chownSync(p, OTHER, OTHER);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dest);
}

let fx: string;
let legitSha: string;
let evilSha: string;
/** A world-readable directory holding v1/{entries,index,blobs} of the poisoned entry. */
let kit: string;

const build = async (cacheDir: string) => {
  const [o] = await compileUnits([{ source: join(fx, "add.c") }], { compiler: "clang-22", cacheDir });
  return { ...o!, sha: sha256(readFileSync(o!.objectPath)) };
};

beforeAll(async () => {
  fx = await copyFixtures();
  const clean = await tempDir();
  const legit = await build(clean);
  legitSha = legit.sha;
  writeFileSync(join(fx, "evil.c"), "int orcjit_add_c(int a, int b) { return 666; }\n");
  const evilObj = join(fx, "evil.o");
  execFileSync("clang-22", ["-c", "-fPIC", join(fx, "evil.c"), "-o", evilObj]);
  const evil = readFileSync(evilObj);
  evilSha = sha256(evil);
  kit = await tempDir("orcjit-kit-");
  chmodSync(kit, 0o755);
  const store = join(clean, "v1");
  const entryFile = join(store, "entries", legit.key.slice(0, 2), `${legit.key}.json`);
  const entry = JSON.parse(readFileSync(entryFile, "utf8")) as { baseKey: string; object: string; size: number };
  const put = (rel: string, data: string | Buffer): void => {
    const p = join(kit, "v1", rel);
    mkdirSync(join(p, ".."), { recursive: true, mode: 0o755 });
    writeFileSync(p, data, { mode: 0o644 });
  };
  put(relative(store, entryFile), JSON.stringify({ ...entry, object: evilSha, size: evil.length }));
  put(join("index", entry.baseKey.slice(0, 2), `${entry.baseKey}.json`), JSON.stringify([legit.key]));
  put(join("blobs", evilSha.slice(0, 2), `${evilSha}.o`), evil);
  for (const d of ["", "v1", "v1/entries", "v1/index", "v1/blobs"]) chmodSync(join(kit, d), 0o755);
});

describe("cache poisoning", () => {
  it("control: the kit is a working attack where this user's own files would be trusted", async () => {
    const root = await tempDir();
    cpSync(kit, root, { recursive: true });
    const hit = await build(root);
    expect(hit.cacheHit).toBe(true);
    expect(hit.sha).toBe(evilSha); // what the defences below must prevent
  });

  it.runIf(isRoot)("entries planted by another uid in a 0777 root are never used, and the root keeps its mode", async () => {
    const root = await tempDir();
    chmodSync(root, 0o777);
    plantAsOtherUser(kit, root);
    expect(statSync(join(root, "v1")).uid).toBe(OTHER);
    const r = await build(root);
    expect(r.sha).toBe(legitSha);
    expect(r.cacheHit).toBe(false);
    expect(r.objectPath.startsWith(join(root, me, "v1"))).toBe(true);
    expect(statSync(root).mode & 0o7777).toBe(0o777);
    expect(statSync(join(root, me)).mode & 0o777).toBe(0o700);
    // and the next build is a hit of its own object
    const again = await build(root);
    expect([again.cacheHit, again.sha]).toEqual([true, legitSha]);
  });

  it.runIf(isRoot)("files of another uid inside our own private store are not read (left over from a once-open directory)", async () => {
    const root = await tempDir();
    cpSync(kit, root, { recursive: true });
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else chownSync(p, OTHER, OTHER);
      }
    };
    walk(join(root, "v1"));
    const r = await build(root);
    expect([r.cacheHit, r.sha]).toEqual([false, legitSha]);
  });

  it("files of ours that others can write (0666) are not trusted either", async () => {
    const root = await tempDir();
    cpSync(kit, root, { recursive: true });
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else chmodSync(p, 0o666);
      }
    };
    walk(join(root, "v1"));
    const r = await build(root);
    expect([r.cacheHit, r.sha]).toEqual([false, legitSha]);
  });

  it("a store directory that is a symlink, or open to others, is refused with a CacheError", async () => {
    const root = await tempDir();
    const elsewhere = await tempDir();
    execFileSync("ln", ["-s", elsewhere, join(root, "v1")]);
    const e = await build(root).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CacheError);
    expect((e as Error).message).toMatch(/v1 is a symbolic link/);
    const root2 = await tempDir();
    mkdirSync(join(root2, "v1"));
    chmodSync(join(root2, "v1"), 0o777);
    const e2 = await build(root2).catch((x: unknown) => x);
    expect(e2).toBeInstanceOf(CacheError);
    expect((e2 as Error).message).toMatch(/mode 777: another user could have planted/);
    expect(statSync(join(root2, "v1")).mode & 0o777).toBe(0o777); // reported, not chmodded
  });

  it.runIf(isRoot)("a private subdirectory pre-created by another uid in a shared root is refused", async () => {
    const root = await tempDir();
    chmodSync(root, 0o1777);
    if (hasSetpriv) execFileSync("setpriv", [`--reuid=${OTHER}`, `--regid=${OTHER}`, "--clear-groups", "--", "mkdir", "-m", "700", join(root, me)]);
    else {
      mkdirSync(join(root, me), { mode: 0o700 });
      chownSync(join(root, me), OTHER, OTHER);
    }
    const e = await build(root).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CacheError);
    expect((e as Error).message).toContain(join(root, me));
    expect((e as Error).message).toMatch(/owned by uid 12345/);
  });
});

describe("shared cache folders keep their mode", () => {
  it.runIf(isRoot)("a 1777 folder (like /tmp) owned by another user stays 1777; the store is a private subdirectory", async () => {
    const shared = await tempDir();
    chownSync(shared, OTHER, OTHER);
    chmodSync(shared, 0o1777);
    const r = await build(shared);
    expect(r.sha).toBe(legitSha);
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(shared, me)).mode & 0o7777).toBe(0o700);
    expect(existsSync(join(shared, "v1"))).toBe(false);
  });

  it("a 1777 folder of ours stays 1777", async () => {
    const shared = await tempDir();
    chmodSync(shared, 0o1777);
    await build(shared);
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(shared, me, "v1")).mode & 0o777).toBe(0o700);
  });

  it.runIf(isRoot)("a 0777 folder owned by another user (not sticky: its owner could swap our files) is refused", async () => {
    const foreign = await tempDir();
    chownSync(foreign, OTHER, OTHER);
    chmodSync(foreign, 0o777);
    const e = await build(foreign).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CacheError);
    expect((e as Error).message).toMatch(/belongs to uid 12345/);
    expect(statSync(foreign).mode & 0o7777).toBe(0o777);
  });
});
