// Checks a .node file before dlopen sees it. A truncated shared object maps segments past the
// end of the file and the loader then dies of SIGBUS touching them; that would kill the Node
// process instead of throwing. Reading the ELF header and program headers first turns a
// truncated, non-ELF or wrong-architecture file into a clear error.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const ELF_MACHINES: Record<string, number> = { x64: 62, arm64: 183, ia32: 3, arm: 40, riscv64: 243, ppc64: 21, s390x: 22 };
const PT_LOAD = 1;
const ET_DYN = 3;

/** Why `file` cannot be a loadable shared object for this process, or undefined if it looks whole. */
export function addonFileProblem(file: string): string | undefined {
  if (process.platform !== "linux") return undefined;
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    return `cannot open it (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return "not a file";
    const size = st.size;
    const header = Buffer.alloc(64);
    const got = readSync(fd, header, 0, 64, 0);
    if (got < 64 || header.readUInt32BE(0) !== 0x7f454c46) return `not an ELF shared object (${size} bytes)`;
    if (header[4] !== 2 || header[5] !== 1) return "not a 64-bit little-endian ELF file";
    if (header.readUInt16LE(16) !== ET_DYN) return "an ELF file but not a shared object";
    const machine = header.readUInt16LE(18);
    const want = ELF_MACHINES[process.arch];
    if (want !== undefined && machine !== want) {
      const name = Object.entries(ELF_MACHINES).find(([, m]) => m === machine)?.[0] ?? `e_machine ${machine}`;
      return `built for ${name}, this process is ${process.arch}`;
    }
    const phoff = Number(header.readBigUInt64LE(32));
    const shoff = Number(header.readBigUInt64LE(40));
    const phentsize = header.readUInt16LE(54);
    const phnum = header.readUInt16LE(56);
    const shentsize = header.readUInt16LE(58);
    const shnum = header.readUInt16LE(60);
    const truncated = (need: number): string => `truncated: ${size} bytes, its headers need ${need}`;
    if (phoff + phnum * phentsize > size) return truncated(phoff + phnum * phentsize);
    if (shoff + shnum * shentsize > size) return truncated(shoff + shnum * shentsize);
    const phdrs = Buffer.alloc(phnum * phentsize);
    readSync(fd, phdrs, 0, phdrs.length, phoff);
    for (let i = 0; i < phnum; i++) {
      const p = i * phentsize;
      if (phdrs.readUInt32LE(p) !== PT_LOAD) continue;
      const end = Number(phdrs.readBigUInt64LE(p + 8) + phdrs.readBigUInt64LE(p + 32));
      if (end > size) return truncated(end);
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}
