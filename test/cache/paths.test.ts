// Where the cache lives (unit project: no compiler needed).
import { describe, expect, it } from "vitest";
import { cache } from "../../src/cache/index.js";
import { resolveCacheDir } from "../../src/cache/paths.js";

describe("cache directory", () => {
  it("resolves the directory: option, ORCJIT_CACHE_DIR, XDG", () => {
    expect(resolveCacheDir("/x/opt", { ORCJIT_CACHE_DIR: "/x/env" })).toBe("/x/opt");
    expect(resolveCacheDir(undefined, { ORCJIT_CACHE_DIR: "/x/env" })).toBe("/x/env");
    expect(resolveCacheDir(undefined, { XDG_CACHE_HOME: "/x/xdg" })).toBe("/x/xdg/tvm-ffi-orcjit");
    expect(cache.dir({ cacheDir: "/x/opt" })).toBe("/x/opt");
  });
});
