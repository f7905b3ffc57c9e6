// Which language a source file is, from its extension: the one table the manifest (which
// refuses an unknown extension) and the compiler (which compiles it as C++) both read.

/** A source language. */
export type Language = "c" | "c++" | "cuda";
/** An optimization level (-O0 … -O3, -Os). */
export type OptLevel = 0 | 1 | 2 | 3 | "s";

const EXTENSIONS: Record<string, Language> = {
  ".c": "c",
  ".cc": "c++",
  ".cpp": "c++",
  ".cxx": "c++",
  ".c++": "c++",
  // `.C` is C++, as gcc and clang take it (the case-insensitive fallback below makes `.Cc` etc. work)
  ".C": "c++",
  ".cu": "cuda",
};

/** The language a source file's extension implies, or undefined when it implies none. */
export function languageOfExtension(file: string): Language | undefined {
  const dot = file.lastIndexOf(".");
  const ext = dot > file.lastIndexOf("/") && dot > file.lastIndexOf("\\") ? file.slice(dot) : "";
  return EXTENSIONS[ext] ?? EXTENSIONS[ext.toLowerCase()];
}
