// Finds the fenced code blocks of the documentation and the directive that says what to do
// with each: an HTML comment on the nearest non-blank line above the opening fence.
//   <!-- fragment -->                      an excerpt: not run (a reason may follow: <!-- fragment: needs CUDA -->)
//   <!-- run -->                           run it as it is
//   <!-- run: setup=NAME key=value ... --> run it in a copy of test/docs/setups/NAME (see README.md there)
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

export interface DocBlock {
  /** Path relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string, first word ("ts", "yaml", "" for none). */
  lang: string;
  text: string;
  directive: { kind: "fragment" | "run"; options: Record<string, string> } | undefined;
}

/** The documentation files whose blocks are checked: README.md and docs/*.md. */
export function docFiles(repoRoot: string): string[] {
  const docs = readdirSync(path.join(repoRoot, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`);
  return ["README.md", ...docs];
}

const DIRECTIVE = /^<!--\s*(fragment|run)\b:?\s*(.*?)\s*-->$/;
const OPTION = /(\w+)=(?:"([^"]*)"|(\S+))/g;

export function extractBlocks(repoRoot: string, file: string): DocBlock[] {
  const lines = readFileSync(path.join(repoRoot, file), "utf8").split("\n");
  const out: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    let j = i + 1;
    const closes = (l: string): boolean => {
      const c = /^\s*(`{3,}|~{3,})\s*$/.exec(l);
      return !!c && c[1]![0] === fence![0] && c[1]!.length >= fence!.length;
    };
    while (j < lines.length && !closes(lines[j]!)) j++;
    const body = lines.slice(i + 1, j).map((l) => (l.startsWith(indent!) ? l.slice(indent!.length) : l));
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === "") k--;
    const m = k >= 0 ? DIRECTIVE.exec(lines[k]!.trim()) : null;
    let directive: DocBlock["directive"];
    if (m) {
      const options: Record<string, string> = {};
      if (m[1] === "run") for (const o of m[2]!.matchAll(OPTION)) options[o[1]!] = o[2] ?? o[3]!;
      directive = { kind: m[1] as "fragment" | "run", options };
    }
    out.push({ file, line: i + 1, lang: lang ?? "", text: `${body.join("\n")}\n`, directive });
    i = j;
  }
  return out;
}
