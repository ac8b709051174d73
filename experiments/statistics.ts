/**
 * Small-sample statistics of the study: mean ± sd, the Student t quantile at any (fractional)
 * degrees of freedom, and the Welch difference-of-means interval.
 *
 * Welch (1947) with the Welch–Satterthwaite degrees of freedom, for samples a (n_a) and b (n_b):
 *   d = ā − b̄,  v_a = s_a²/n_a,  v_b = s_b²/n_b,  se = √(v_a + v_b)
 *   ν = (v_a + v_b)² / (v_a²/(n_a − 1) + v_b²/(n_b − 1))
 *   95% CI: d ± t_{0.975, ν} · se   (ν kept fractional, as R's t.test and scipy's ttest_ind do)
 */

export function meanSd(xs: readonly number[]): { m: number; sd: number } {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { m, sd };
}

/** ln Γ(x), x > 0 (Lanczos, g = 7, 9 terms: ~15 significant digits). */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes §6.4). */
function betaCf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaCf(a, b, x)) / a : 1 - (front * betaCf(b, a, 1 - x)) / b;
}

/** Student t CDF with ν (> 0, possibly fractional) degrees of freedom: F(t) = 1 − ½ I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0. */
export function studentTCdf(t: number, nu: number): number {
  const tail = 0.5 * incompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile (0.5 ≤ p < 1) of Student's t with ν degrees of freedom, by bisection on the CDF (to 1e-12). */
export function studentTQuantile(p: number, nu: number): number {
  if (!(nu > 0) || !(p >= 0.5 && p < 1)) return NaN;
  let lo = 0, hi = 1;
  while (studentTCdf(hi, nu) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, nu) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export interface WelchInterval {
  /** ā − b̄ */
  diff: number;
  lo: number;
  hi: number;
  /** Welch–Satterthwaite degrees of freedom (NaN without an interval) */
  df: number;
}

/**
 * Difference of means a − b with its Welch 95% confidence interval (header). NaN bounds when
 * either side has fewer than 2 finite values; a zero standard error gives the point [d, d].
 * Non-finite values (e.g. a ratio of a policy that does not walk) are left out.
 */
export function welchDiff(aIn: readonly number[], bIn: readonly number[]): WelchInterval {
  const a = aIn.filter(Number.isFinite), b = bIn.filter(Number.isFinite);
  const A = meanSd(a), B = meanSd(b);
  const diff = A.m - B.m;
  if (a.length < 2 || b.length < 2) return { diff, lo: NaN, hi: NaN, df: NaN };
  const va = (A.sd * A.sd) / a.length, vb = (B.sd * B.sd) / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { diff, lo: diff, hi: diff, df: NaN };
  const df = (va + vb) ** 2 / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  const h = studentTQuantile(0.975, df) * se;
  return { diff, lo: diff - h, hi: diff + h, df };
}

/** Median of finite-or-infinite values (NaN left out; +∞ sorts last): NaN when none are left. */
export function median(xs: readonly number[]): number {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((p, q) => p - q);
  if (!v.length) return NaN;
  const k = v.length >> 1;
  return v.length % 2 ? v[k] : v[k - 1] === v[k] ? v[k] : 0.5 * (v[k - 1] + v[k]);
}
