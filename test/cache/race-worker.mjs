// Child process for the race test: waits for a start file, then compiles one unit.
// argv: <transpiled src dir> <start file> <source> <cacheDir> <compiler>
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [srcDir, startFile, source, cacheDir, compiler] = process.argv.slice(2);
const { compileUnits } = await import(pathToFileURL(join(srcDir, "compiler", "index.js")).href);
while (!existsSync(startFile)) await new Promise((r) => setTimeout(r, 5));
const [o] = await compileUnits([{ source }], { cacheDir, compiler });
process.stdout.write(JSON.stringify({ key: o.key, objectPath: o.objectPath, cacheHit: o.cacheHit }));
