// "Did you mean ...?" suggestions for misspelt keys and names.

/** Edit distance counting insertions, deletions, substitutions and adjacent transpositions. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word`, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  const limit = word.length < 3 ? 0 : Math.max(1, Math.floor(word.length / 3));
  if (bestScore <= limit) return best;
  // abbreviations: "srcs" → "sources", "inc" → "includeDirs"
  const abbreviated = candidates.filter((c) => isAbbreviation(word.toLowerCase(), c.toLowerCase()));
  return abbreviated.length === 1 ? abbreviated[0] : undefined;
}

function isAbbreviation(word: string, candidate: string): boolean {
  if (word.length < 3 || word[0] !== candidate[0]) return false;
  let j = 0;
  for (const ch of candidate) if (ch === word[j]) j++;
  return j === word.length;
}
