/**
 * The few moments item statistics need, never NaN: a figure that is undefined for the data (fewer
 * than two values, a variable that does not vary) is null, and callers say so.
 * Variances and covariances divide by n − 1 (samples of a class), as Moodle's quiz statistics do.
 */

export const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : sum(xs) / xs.length);

export function sum(xs: readonly number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}

/** Sample variance (n − 1); null below two values. */
export function variance(xs: readonly number[]): number | null {
  return covariance(xs, xs);
}

export function sd(xs: readonly number[]): number | null {
  const v = variance(xs);
  return v === null ? null : Math.sqrt(v);
}

/** Sample covariance (n − 1) of paired values; null below two pairs. */
export function covariance(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 2 || ys.length !== n) return null;
  const mx = sum(xs) / n;
  const my = sum(ys) / n;
  let c = 0;
  for (let i = 0; i < n; i++) c += (xs[i] - mx) * (ys[i] - my);
  return clean(c / (n - 1));
}

/** Pearson's r; null when either side has no variance (or fewer than two pairs). */
export function correlation(xs: readonly number[], ys: readonly number[]): number | null {
  const c = covariance(xs, ys);
  const vx = variance(xs);
  const vy = variance(ys);
  if (c === null || vx === null || vy === null || vx <= 0 || vy <= 0) return null;
  return clamp(c / Math.sqrt(vx * vy));
}

/**
 * The largest covariance the same two sets of values could have: both sorted the same way and
 * paired in order (Moodle's discriminative efficiency divides by it). Null when it is 0.
 */
export function maxCovariance(xs: readonly number[], ys: readonly number[]): number | null {
  const up = (a: number, b: number) => a - b;
  const c = covariance([...xs].sort(up), [...ys].sort(up));
  return c === null || c <= 0 ? null : c;
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Cronbach's α over k item scores per respondent (rows: respondents, columns: items):
 * k/(k − 1) · (1 − Σ var(item) / var(total)). Null for fewer than two items or respondents, or a
 * total that does not vary.
 */
export function cronbachAlpha(rows: readonly (readonly number[])[]): number | null {
  const k = rows[0]?.length ?? 0;
  if (k < 2 || rows.length < 2) return null;
  let itemVar = 0;
  for (let j = 0; j < k; j++) itemVar += variance(rows.map((r) => r[j]))!;
  const totalVar = variance(rows.map((r) => sum(r)))!;
  if (!(totalVar > 0)) return null;
  return clean((k / (k - 1)) * (1 - itemVar / totalVar));
}

// Sums of fractions leave 1e-17 residues where the exact answer is 0; keep them out of reports.
const clean = (x: number): number => (Math.abs(x) < 1e-12 ? 0 : x);
const clamp = (r: number): number => Math.max(-1, Math.min(1, r));
