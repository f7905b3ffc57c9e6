// orcjit cache ls|prune|clear
import type { Command } from "commander";
import { cache } from "../../index.js";
import { formatBytes, parseBytes } from "../bytes.js";
import { UsageError, type Streams } from "../output.js";

interface CacheCliOptions {
  cacheDir?: string;
  json?: boolean;
}

function dirOption(o: CacheCliOptions): { cacheDir?: string } {
  return o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {};
}

export function registerCache(program: Command, s: Streams): void {
  const group = program
    .command("cache")
    .description("inspect and trim the object cache")
    .option("--cache-dir <dir>", "object cache directory (default: $ORCJIT_CACHE_DIR, XDG cache, ~/.cache/tvm-ffi-orcjit)");
  const opts = (cmd: Command): CacheCliOptions => cmd.optsWithGlobals<CacheCliOptions>();

  group
    .command("ls")
    .description("list cached objects, most recently used first")
    .option("--json", "print JSON")
    .action(async (_o: unknown, cmd: Command) => {
      const o = opts(cmd);
      const entries = await cache.list(dirOption(o));
      const size = await cache.size(dirOption(o));
      const dir = cache.dir(dirOption(o));
      if (o.json) {
        s.out.write(`${JSON.stringify({ ok: true, dir, size, entries }, null, 2)}\n`);
        return;
      }
      for (const e of entries) {
        s.out.write(`${e.key.slice(0, 12)}  ${formatBytes(e.size).padStart(9)}  ${e.lastUsed.toISOString()}  ${e.language.padEnd(4)} ${e.source}\n`);
      }
      s.out.write(`${entries.length} object${entries.length === 1 ? "" : "s"}, ${formatBytes(size)} in ${dir}\n`);
    });

  group
    .command("prune")
    .description("evict least recently used objects until the cache is at most --max-size")
    .option("--max-size <size>", "size to keep, e.g. 500M, 2G, 100000 (bytes)", "1G")
    .option("--json", "print JSON")
    .action(async (o2: { maxSize: string }, cmd: Command) => {
      const o = opts(cmd);
      const maxBytes = parseBytes(o2.maxSize);
      if (maxBytes === undefined) throw new UsageError(`--max-size: cannot read '${o2.maxSize}' as a size (e.g. 500M, 2G)`);
      const freed = await cache.prune({ ...dirOption(o), maxBytes });
      const size = await cache.size(dirOption(o));
      if (o.json) s.out.write(`${JSON.stringify({ ok: true, freed, size })}\n`);
      else s.out.write(`freed ${formatBytes(freed)}; cache is now ${formatBytes(size)}\n`);
    });

  group
    .command("clear")
    .description("delete every cached object")
    .option("--json", "print JSON")
    .action(async (_o: unknown, cmd: Command) => {
      const o = opts(cmd);
      const before = await cache.size(dirOption(o));
      await cache.clear(dirOption(o));
      if (o.json) s.out.write(`${JSON.stringify({ ok: true, freed: before })}\n`);
      else s.out.write(`cleared ${formatBytes(before)} from ${cache.dir(dirOption(o))}\n`);
    });
}
