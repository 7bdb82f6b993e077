/**
 * The VEEGAN evaluation protocol (Srivastava et al. 2017; PacGAN uses the same): a sample is high
 * quality when it lies within 3σ of its nearest mode's centre, and a mode is covered when at least
 * 20 of 2,500 samples (0.8 %) are high-quality samples assigned to it.
 */

/** The share of samples a mode needs to count as covered: 20 of 2,500. */
export const MODE_SHARE = 20 / 2500;

export interface ModeReport {
  /** Modes with at least `modeMinCount` high-quality samples. */
  modesCovered: number;
  /** Total modes of the dataset. */
  modes: number;
  /** Share of samples within 3σ of some mode. */
  highQuality: number;
  /** High-quality samples per mode, in the order of the dataset's centres. */
  modeCounts: number[];
  modeMinCount: number;
  samples: number;
}

/** Samples are flat [x0, y0, x1, y1, …]. `minCount` defaults to 0.8 % of the samples (at least 1). */
export function modeReport(samples: ArrayLike<number>, centres: [number, number][], std: number, minCount?: number): ModeReport {
  const n = samples.length / 2;
  const need = minCount ?? Math.max(1, Math.ceil(MODE_SHARE * n - 1e-9));
  const counts = new Array<number>(centres.length).fill(0);
  const r2 = (3 * std) ** 2;
  let good = 0;
  for (let i = 0; i < n; i++) {
    const k = nearestMode(samples[2 * i], samples[2 * i + 1], centres);
    const [cx, cy] = centres[k];
    if ((samples[2 * i] - cx) ** 2 + (samples[2 * i + 1] - cy) ** 2 <= r2) {
      counts[k]++;
      good++;
    }
  }
  return {
    modesCovered: counts.filter((c) => c >= need).length,
    modes: centres.length,
    highQuality: n === 0 ? 0 : good / n,
    modeCounts: counts,
    modeMinCount: need,
    samples: n,
  };
}

export function nearestMode(x: number, y: number, centres: [number, number][]): number {
  let best = 0;
  let bestD = Infinity;
  centres.forEach(([cx, cy], k) => {
    const d = (x - cx) ** 2 + (y - cy) ** 2;
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  });
  return best;
}

/** For the conditional GAN: the share of samples that are high quality AND at the mode they were asked for. */
export function labelAccuracy(samples: ArrayLike<number>, labels: ArrayLike<number>, centres: [number, number][], std: number): number {
  const n = labels.length;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const [cx, cy] = centres[labels[i]];
    if ((samples[2 * i] - cx) ** 2 + (samples[2 * i + 1] - cy) ** 2 <= (3 * std) ** 2) hit++;
  }
  return n === 0 ? 0 : hit / n;
}
