// orcjit init [dir]: a runnable starter project from templates/.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { manifestSchemaUrl, OrcJitError } from "../../index.js";
import { packageRoot } from "../../util/package-root.js";
import { UsageError, type Streams } from "../output.js";

/** The templates shipped with the package (`templates/<name>/`). */
export const templatesDir = path.join(packageRoot, "templates");

export function listTemplates(): string[] {
  return readdirSync(templatesDir)
    .filter((n) => statSync(path.join(templatesDir, n)).isDirectory())
    .sort();
}

function walk(dir: string, base = ""): string[] {
  return readdirSync(dir).flatMap((n) => {
    const rel = path.join(base, n);
    return statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n), rel) : [rel];
  });
}

/**
 * The `$schema` written into a new manifest in `target`: relative to the manifest when the
 * package is installed in a node_modules folder of `target` or of one of its parents (so the
 * reference survives a commit and a clone), else the absolute path (a repository checkout).
 */
export function schemaReference(target: string, schemaFile: string): string {
  const parts = schemaFile.split(path.sep);
  const nm = parts.lastIndexOf("node_modules");
  const owner = nm > 0 ? parts.slice(0, nm).join(path.sep) || path.sep : undefined;
  const rel = path.relative(target, schemaFile);
  const inside = !rel.startsWith("..") && !path.isAbsolute(rel);
  const ownerRel = owner === undefined ? ".." : path.relative(owner, target);
  const underOwner = owner !== undefined && !ownerRel.startsWith("..") && !path.isAbsolute(ownerRel);
  if (!inside && !underOwner) return schemaFile;
  const posix = rel.split(path.sep).join("/");
  return posix.startsWith("../") ? posix : `./${posix}`;
}

/** Template files are copied as they are, except `{{name}}` and `{{schema}}` placeholders and `_gitignore`. */
export function initProject(dir: string, template: string, force: boolean): string[] {
  const templates = listTemplates();
  if (!templates.includes(template)) {
    throw new UsageError(`unknown template '${template}'; templates: ${templates.join(", ")}`);
  }
  const from = path.join(templatesDir, template);
  const target = path.resolve(dir);
  const files = walk(from).map((rel) => ({ rel, out: rel.replace(/(^|[\\/])_gitignore$/, "$1.gitignore") }));
  const clashes = files.filter((f) => existsSync(path.join(target, f.out))).map((f) => f.out);
  if (clashes.length > 0 && !force) {
    throw new OrcJitError("ORCJIT_INIT_EXISTS", `${target} already has ${clashes.join(", ")} (use --force to overwrite)`);
  }
  const schema = schemaReference(target, fileURLToPath(manifestSchemaUrl));
  const name = path.basename(target).replace(/[^A-Za-z0-9_-]/g, "_") || "project";
  for (const f of files) {
    const out = path.join(target, f.out);
    mkdirSync(path.dirname(out), { recursive: true });
    const text = readFileSync(path.join(from, f.rel), "utf8").replaceAll("{{schema}}", schema).replaceAll("{{name}}", name);
    writeFileSync(out, text);
  }
  return files.map((f) => f.out);
}

export function registerInit(program: Command, s: Streams): void {
  program
    .command("init")
    .description("create a runnable starter project (orcjit.yaml + sources) from a template")
    .argument("[dir]", "directory to create it in", ".")
    .option("-t, --template <name>", "template to use (see --list)", "cpp-basic")
    .option("--list", "list the templates")
    .option("-f, --force", "overwrite existing files")
    .option("--json", "print a JSON result on stdout")
    .action((dir: string, o: { template: string; list?: boolean; force?: boolean; json?: boolean }) => {
      if (o.list) {
        const names = listTemplates();
        s.out.write(o.json ? `${JSON.stringify({ ok: true, templates: names })}\n` : `${names.join("\n")}\n`);
        return;
      }
      const files = initProject(dir, o.template, o.force === true);
      const target = path.resolve(dir);
      if (o.json) {
        s.out.write(`${JSON.stringify({ ok: true, dir: target, template: o.template, files })}\n`);
        return;
      }
      const relTarget = path.relative(process.cwd(), target);
      const cd = relTarget.startsWith("..") ? target : relTarget;
      s.out.write(
        `created a '${o.template}' project in ${target}:\n${files.map((f) => `  ${f}`).join("\n")}\n\nnext:\n` +
          `${cd ? `  cd ${cd}\n` : ""}  orcjit build\n  orcjit run hello.add 1 2\n`,
      );
    });
}
