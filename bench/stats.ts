/** Small statistics for benchmarks: medians and percentiles of samples. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarise(samples: number[]): { median: number; p99: number; min: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: percentile(s, 50), p99: percentile(s, 99), min: s[0], max: s[s.length - 1] };
}

/** Times each call of `f` separately, in microseconds, after a warm-up. */
export function timeCalls(f: (i: number) => unknown, calls: number, warmup = Math.min(2000, calls)): number[] {
  for (let i = 0; i < warmup; i++) f(i);
  const out = new Array<number>(calls);
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    f(i);
    out[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return out;
}

export const fmt = (us: number): string => (us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0));
