/**
 * The known name closest to a typo, for "did you mean …" in error messages: the candidate with
 * the smallest edit distance (`editDistance`), if that distance is small for the word (≤ 2, and ≤ a third
 * of the longer word's length, so `lava` does not suggest `flat`). Case is ignored.
 */
export function closestName(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === null || bestD === 0) return best;
  return bestD <= 2 && bestD <= Math.max(w.length, best.length) / 3 ? best : null;
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment: insert, delete,
 * substitute, swap two neighbours, cost 1 each), so `szie` is one edit from `size`.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
