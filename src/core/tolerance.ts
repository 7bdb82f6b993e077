/**
 * The one place answers are compared with the truth. A tolerance is either explicit bounds
 * (|a − t| ≤ absolute + relative·|t|) or a rounding instruction the question gives the student
 * ("give 4 decimal places", "3 significant figures"), which accepts anything within half a unit in
 * the last asked place.
 */
export type Tolerance =
  | { absolute?: number; relative?: number }
  | { decimals: number }
  | { sigfigs: number };

/** The contract's default: |answer − truth| ≤ 0.001 + 0.01·|truth|. */
export const DEFAULT_TOLERANCE: Tolerance = { absolute: 0.001, relative: 0.01 };

// Slack for binary floating point: 0.1235 − 0.12345 is not exactly 5e-5 in doubles.
const FP_SLACK = 1e-12;

/** True when `answer` is within tolerance of `truth`. −∞ (a masked entry) matches only −∞. */
export function withinTolerance(answer: number, truth: number, tol: Tolerance): boolean {
  if (!Number.isFinite(truth) || !Number.isFinite(answer)) return answer === truth;
  return Math.abs(answer - truth) <= allowance(truth, tol) + FP_SLACK * Math.max(1, Math.abs(truth));
}

/** The largest accepted |answer − truth| for this truth. */
export function allowance(truth: number, tol: Tolerance): number {
  if ('decimals' in tol) return 0.5 * 10 ** -tol.decimals;
  if ('sigfigs' in tol) {
    if (truth === 0) return 0.5 * 10 ** -tol.sigfigs;
    const exponent = Math.floor(Math.log10(Math.abs(truth)));
    return 0.5 * 10 ** (exponent - tol.sigfigs + 1);
  }
  return (tol.absolute ?? 0) + (tol.relative ?? 0) * Math.abs(truth);
}

/** The instruction a prompt shows, e.g. "Give each answer to 4 decimal places." */
export function describeTolerance(tol: Tolerance): string {
  if ('decimals' in tol) return `Give each answer to ${tol.decimals} decimal place${tol.decimals === 1 ? '' : 's'}.`;
  if ('sigfigs' in tol) return `Give each answer to ${tol.sigfigs} significant figure${tol.sigfigs === 1 ? '' : 's'}.`;
  const parts: string[] = [];
  if (tol.absolute) parts.push(`±${tol.absolute}`);
  if (tol.relative) parts.push(`${+(tol.relative * 100).toPrecision(6)}% of the true value`);
  return parts.length === 0
    ? 'Answers must be exact.'
    : `Answers are accepted within ${parts.join(' plus ')}.`;
}
