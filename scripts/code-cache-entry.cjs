// The package's CommonJS entry (dist/bundle/index.cjs; scripts/bundle.mjs copies this file there
// and fills in BUNDLE_SHA256). It evaluates the real CommonJS bundle (dist/bundle/api.cjs) the
// way Node's require() would — same wrapper, `require` relative to that file, this entry's
// `module` and `exports`, `__filename`/`__dirname` of api.cjs — but compiles it with a V8 code
// cache, which saves a fresh process most of the parse and lazy compilation of the warm
// loadInline path (docs/cache.md "V8 code cache"). Purely an optimization: any failure falls
// back to compiling without a cache, and ORCJIT_CODE_CACHE=0 turns it off.
//
// Safety: V8 accepts cached data when the source length, V8 flags and version match; it does not
// look at the content. So the file name carries the bundle's content hash (computed at build
// time), its size and mtime (an edited node_modules copy changes them), the Node version and the
// arch. The data is code: it lives in a 0700 `v8/` directory under the object cache's root,
// files are 0600, and a file is used only if it is a regular file of this uid that group and
// others cannot write — the trust boundary of the cached objects beside it.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");

const BUNDLE_SHA256 = "@BUNDLE_SHA256@"; // the first 16 hex digits of sha256(api.cjs); written by scripts/bundle.mjs
const bundle = path.join(__dirname, "api.cjs");
const debug = process.env.ORCJIT_CODE_CACHE_DEBUG === "1" ? (what) => process.stderr.write(`code cache: ${what}\n`) : () => {};

/** The object cache's root directory — the rule of src/cache/paths.ts resolveCacheDir()/storeDir() without a `cacheDir` option (this file cannot import src). */
function cacheRoot(env) {
  let root;
  if (env.ORCJIT_CACHE_DIR) root = path.resolve(env.ORCJIT_CACHE_DIR);
  else if (env.XDG_CACHE_HOME) root = path.join(path.resolve(env.XDG_CACHE_HOME), "tvm-ffi-orcjit");
  else if (process.platform === "darwin") root = path.join(require("node:os").homedir(), "Library", "Caches", "tvm-ffi-orcjit");
  else root = path.join(require("node:os").homedir(), ".cache", "tvm-ffi-orcjit");
  // a root that others can write is never used directly: this user's subdirectory of it (isPrivateRoot)
  const st = fs.statSync(root, { throwIfNoEntry: false });
  return !st || (st.uid === process.getuid() && (st.mode & 0o022) === 0) ? root : path.join(root, `user-${process.getuid()}`);
}

/** True when `st` is a regular file or directory of this user that group and others cannot write. */
const ours = (st) => st.uid === process.getuid() && (st.mode & 0o022) === 0;

let cacheFile;
let cachedData;
const src = fs.readFileSync(bundle, "utf8");
try {
  // off when asked, and on systems without POSIX owners (no trust check possible)
  if (process.env.ORCJIT_CODE_CACHE !== "0" && typeof process.getuid === "function" && !BUNDLE_SHA256.startsWith("@")) {
    const st = fs.statSync(bundle);
    const dir = path.join(cacheRoot(process.env), "v8");
    cacheFile = path.join(dir, `api-${BUNDLE_SHA256}-${st.size}-${Math.trunc(st.mtimeMs)}-${process.version}-${process.arch}.bin`);
    let fd;
    try {
      fd = fs.openSync(cacheFile, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch {
      debug("none");
    }
    if (fd !== undefined) {
      try {
        const fst = fs.fstatSync(fd);
        if (fst.isFile() && ours(fst)) cachedData = fs.readFileSync(fd);
        else {
          debug("not ours");
          cacheFile = undefined; // never replace another user's file either
        }
      } finally {
        fs.closeSync(fd);
      }
    }
  }
} catch {
  cacheFile = undefined; // unreadable root, home directory, ...: compile without a cache
}
// Node's wrapper (Module.wrap) plus one parameter: this file's import(), which the bundle calls
// for its lazy dependencies (chokidar) instead of an import() of its own, since a vm.Script's
// import() needs a callback that does not survive cached data (scripts/bundle.mjs).
const source = `(function (exports, require, module, __filename, __dirname, __orcjitLoaderImport) { ${src}\n});`;
const loaderImport = (specifier) => import(specifier);
let script;
try {
  script = new vm.Script(source, { filename: bundle, cachedData });
} catch {
  script = undefined;
}
if (script === undefined) {
  // not expected (the bundle is valid JavaScript); let Node load it and report what it reports
  module.exports = require(bundle);
} else {
  if (cachedData !== undefined) debug(script.cachedDataRejected ? "rejected" : "used");
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
    // at exit, after the program ran: the functions the warm path compiled lazily are included
    process.once("exit", () => {
      try {
        const dir = path.dirname(cacheFile);
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const dst = fs.lstatSync(dir);
        if (!dst.isDirectory() || !ours(dst)) return;
        const tmp = path.join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: "wx" });
        try {
          fs.renameSync(tmp, cacheFile);
        } catch (e) {
          fs.rmSync(tmp, { force: true });
          throw e;
        }
        debug("written");
      } catch {
        // read-only or full file system, foreign directory, ...: the next start compiles again
      }
    });
  }
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, __dirname, loaderImport);
}
