// Bad input at the manifest door (YAML syntax, schema, cycles, path escapes, symlinks and
// symlink loops, alias bombs, binary garbage) and at the linker door (unsupported
// relocations, TLS, non-PIC code, clashing symbols): each a typed error, never a crash/hang.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExecutionSession, LinkError, loadManifest, ManifestError, ObjectFileError } from "../../src/index.js";
import { COMPILERS, fixture } from "../helpers/fixtures.js";
import { record, thrown, tmp } from "./helpers.js";

function project(files: Record<string, string>): string {
  const dir = tmp("manifest");
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, ".."), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

const OK_SRC = { "src/a.c": "int a(void) { return 1; }\n", "src/b.c": "int b(void) { return 2; }\n" };

describe("malformed manifests", () => {
  const cases: [string, Record<string, string>, RegExp, ((dir: string) => void)?][] = [
    ["YAML syntax error", { "orcjit.yaml": "version: 1\nlibraries: [unclosed\n" }, /orcjit\.yaml:\d+:\d+/],
    ["tab indentation / bad mapping", { "orcjit.yaml": "version: 1\nlibraries:\n\ta: {}\n" }, /orcjit\.yaml:\d+/],
    ["duplicate keys", { "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [src/a.c] }\n  a: { sources: [src/b.c] }\n", ...OK_SRC }, /duplicate|unique/i],
    ["unknown key", { "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [src/a.c], linkorder: [] }\n", ...OK_SRC }, /unknown key 'linkorder'/],
    ["wrong types", { "orcjit.yaml": "version: 1\ndefaults: { optLevel: fast }\nlibraries:\n  a: { sources: src/a.c }\n", ...OK_SRC }, /optLevel|sources/],
    ["wrong version", { "orcjit.yaml": "version: 99\nlibraries: {}\n" }, /version/],
    ["empty file", { "orcjit.yaml": "" }, /./],
    ["binary garbage", { "orcjit.yaml": "\u0000\u0001\u00ff\ufffe{{[[::" }, /./],
    ["linkOrder cycle", { "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [src/a.c], linkOrder: [b] }\n  b: { sources: [src/b.c], linkOrder: [c] }\n  c: { sources: [src/b.c], linkOrder: [a] }\n", ...OK_SRC }, /cycle: a -> b -> c -> a|cycle/],
    ["self cycle", { "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [src/a.c], linkOrder: [a] }\n", ...OK_SRC }, /cycle|itself/],
    ["unknown library in linkOrder", { "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [src/a.c], linkOrder: [nope] }\n", ...OK_SRC }, /nope/],
    ["path escape ../", { "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [../outside.c] }\n" }, /outside the project root/],
    ["absolute path outside", { "orcjit.yaml": "" }, /outside the project root/, (d) => { writeFileSync(join(d, "..", "abs-outside.c"), "int z;\n"); writeFileSync(join(d, "orcjit.yaml"), `version: 1\nlibraries:\n  a: { sources: [${join(d, "..", "abs-outside.c")}] }\n`); }],
    ["includeDir escape", { "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [src/a.c], includeDirs: [../../..] }\n", ...OK_SRC }, /outside the project root/],
    ["symlink escaping the root", { "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [src/link.c] }\n" }, /outside the project root/, (d) => { writeFileSync(join(d, "..", "outside-target.c"), "int x;\n"); symlinkSync(join(d, "..", "outside-target.c"), join(d, "src/link.c")); }],
    ["symlink loop", { "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [src/loop1.c] }\n" }, /loop1\.c/, (d) => { symlinkSync("loop2.c", join(d, "src/loop1.c")); symlinkSync("loop1.c", join(d, "src/loop2.c")); }],
    ["symlink loop in includeDirs", { "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [src/a.c], includeDirs: [inc/loop] }\n", ...OK_SRC }, /loop/, (d) => { mkdirSync(join(d, "inc")); symlinkSync("loop", join(d, "inc/loop")); }],
    ["missing source", { "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [src/none.c] }\n" }, /none\.c/],
    ["alias bomb (billion laughs)", { "orcjit.yaml": "version: 1\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nlibraries: {}\n" }, /./],
  ];
  for (const [name, files, msg, setup] of cases) {
    it(name, async () => {
      const dir = project({ "src/.keep": "", ...files });
      setup?.(dir);
      const e = await loadManifest(join(dir, "orcjit.yaml")).then(() => undefined, (x: Error) => x);
      expect(e, "must be rejected").toBeInstanceOf(ManifestError);
      expect(e!.message).toMatch(msg);
      record("manifest-link", { door: "manifest", input: name, count: 1, held: `ManifestError: ${e!.message.split("\n")[0]!.replace(/^.*orcjit\.yaml/, "orcjit.yaml").slice(0, 90)}` });
    });
  }

  it("allowOutsideRoot admits an escaping path on purpose", async () => {
    const dir = project({ "orcjit.yaml": "version: 1\nlibraries:\n  a: { sources: [../outside-ok.c] }\n" });
    writeFileSync(join(dir, "..", "outside-ok.c"), "int y;\n");
    const m = await loadManifest(join(dir, "orcjit.yaml"), { allowOutsideRoot: true });
    expect(m.libraries.length ?? Object.keys(m.libraries).length).toBeGreaterThan(0);
  });
});

/** Rewrites the type of the first RELA relocation of an ELF64 object. */
function patchFirstRelocType(bytes: Uint8Array, type: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const dv = new DataView(out.buffer);
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true);
  const shnum = dv.getUint16(0x3c, true);
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (dv.getUint32(sh + 4, true) !== 4 /* SHT_RELA */) continue;
    const off = Number(dv.getBigUint64(sh + 0x18, true));
    if (Number(dv.getBigUint64(sh + 0x20, true)) === 0) continue;
    dv.setUint32(off + 8, type, true); // r_info low word = type
    return out;
  }
  throw new Error("no relocations");
}

describe("objects the linker must refuse", () => {
  for (const cc of COMPILERS) {
    it(`${cc.id}: unsupported relocation types, TLS, clashing symbols → typed errors`, () => {
      const s = new ExecutionSession();
      try {
        const add = readFileSync(fixture(cc, "c/add"));
        for (const type of [0x7f, 200, 250, 19 /* R_X86_64_TLSGD */, 37 /* R_X86_64_IRELATIVE */]) {
          const lib = s.createLibrary(`reloc${type}`);
          let outcome: string;
          try {
            lib.add(patchFirstRelocType(add, type));
            lib.getFunction("add"); // links; the (now wrong) code is never called
            outcome = "linked (relocation kind known to JITLink; code not called)";
            expect(type === 19 || type === 37, `type ${type} must be refused`).toBe(true);
          } catch (e) {
            expect((e as Error).constructor.name).toMatch(/LinkError|ObjectFileError/);
            outcome = `${(e as Error).constructor.name}: ${(e as Error).message.split("\n")[0]!.replace(/^.*?: In [^:]*: /, "").slice(0, 70)}`;
          }
          record("manifest-link", { door: "linker", input: `${cc.id} object with relocation type ${type}`, count: 1, held: outcome });
          lib.dispose();
        }
        const tls = s.createLibrary("tls");
        const te = thrown(() => {
          tls.add(fixture(cc, "c/tls"));
          tls.getFunction("tls_bump");
        });
        expect(te).toBeInstanceOf(LinkError);
        expect(te.message).toMatch(/thread_local/);
        const dup = s.createLibrary("dup");
        const de = thrown(() => {
          dup.add(fixture(cc, "c/add"));
          dup.add(fixture(cc, "c/duplicate"));
          dup.getFunction("add");
        });
        expect(de).toBeInstanceOf(LinkError);
        expect(de.message).toMatch(/[Dd]uplicate/);
        record("manifest-link", { door: "linker", input: `${cc.id} TLS object; two objects defining the same symbol`, count: 2, held: "LinkError naming thread_local / the duplicate symbol" });
        // The session still links a good object.
        const ok = s.createLibrary("ok");
        ok.add(fixture(cc, "c/add"));
        expect(ok.getFunction("add")(1, 2)).toBe(3);
      } finally {
        s.dispose();
      }
    });
  }

  it("same symbol in two libraries is fine (separate namespaces)", () => {
    const s = new ExecutionSession();
    const [a, b] = [s.createLibrary("a"), s.createLibrary("b")];
    a.add(fixture(COMPILERS[0]!, "c/add"));
    b.add(fixture(COMPILERS[1]!, "c/add"));
    expect(a.getFunction("add")(2, 2)).toBe(4);
    expect(b.getFunction("add")(3, 3)).toBe(6);
    s.dispose();
  });

  it("bytes that claim to be ELF: header-only, section table past EOF", () => {
    const s = new ExecutionSession();
    const lib = s.createLibrary("junk");
    const good = readFileSync(fixture(COMPILERS[0]!, "c/add"));
    for (const len of [16, 64, 100, good.length - 1]) expect(thrown(() => lib.add(good.subarray(0, len)))).toBeInstanceOf(ObjectFileError);
    s.dispose();
  });
});
