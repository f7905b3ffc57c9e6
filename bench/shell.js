// Shell-style splitting of the command lines the compiler layer prints in verbose mode.
/** Splits a POSIX-shell-quoted line (single quotes, as the compiler layer prints it). */
export function shellSplit(line) {
  const out = [];
  let cur = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'") {
      const j = line.indexOf("'", i + 1);
      cur = (cur ?? "") + line.slice(i + 1, j);
      i = j;
    } else if (ch === "\\") {
      cur = (cur ?? "") + line[++i];
    } else if (ch === " ") {
      if (cur !== null) out.push(cur);
      cur = null;
    } else cur = (cur ?? "") + ch;
  }
  if (cur !== null) out.push(cur);
  return out;
}
