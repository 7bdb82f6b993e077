/** The GAN lab's plots, all through the shared vega-lite helpers. */
import type { Artefact } from '../lab.js';
import { heatmap, lines, plot, scatter, type Point } from '../plots.js';
import { PLANE, type Dataset } from './data.js';
import { nearestMode, type ModeReport } from './metrics.js';
import type { OptimalDCheck } from './optimal-d.js';
import type { GanTraining } from './train.js';

export interface PlotContext {
  run: string;
  dataset: Dataset;
  std: number;
  centres: [number, number][];
  /** Data points drawn for reference, flat [x0, y0, …]. */
  data: Float32Array;
}

const points = (flat: ArrayLike<number>, group: (x: number, y: number) => string): Point[] =>
  Array.from({ length: flat.length / 2 }, (_, i) => ({ x: flat[2 * i], y: flat[2 * i + 1], group: group(flat[2 * i], flat[2 * i + 1]) }));

/** Generated points split by whether they are within 3σ of a mode (VEEGAN's "high quality"), over the data. */
function samplePlot(p: PlotContext, title: string, samples: Float32Array): ReturnType<typeof scatter> {
  const r2 = (3 * p.std) ** 2;
  const quality = (x: number, y: number): string => {
    const [cx, cy] = p.centres[nearestMode(x, y, p.centres)];
    return (x - cx) ** 2 + (y - cy) ** 2 <= r2 ? 'fake, within 3σ' : 'fake, off-mode';
  };
  // Off-plane samples are clipped to the border so a diverging G still shows where it went.
  const [lo, hi] = PLANE[p.dataset];
  const clip = (v: number): number => Math.max(lo, Math.min(hi, v));
  const all = [...points(p.data, () => 'data'), ...points(samples, quality)].map((q) => ({ ...q, x: clip(q.x), y: clip(q.y) }));
  return scatter({ title, points: all, xDomain: [lo, hi], yDomain: [lo, hi], size: 8 });
}

const label = (v: number): string => v.toFixed(2);

/** One decimal, without the "-0.0" that cos(π/2)·2 would print. */
const fix1 = (v: number): string => (Math.abs(v) < 0.05 ? 0 : v).toFixed(1);

/** High-quality samples per mode, laid out like the modes: one row for the ring, the 5×5 grid for the grid. */
function modeCountPlot(p: PlotContext, counts: number[], minCount: number): ReturnType<typeof heatmap> {
  const title = `${p.run}: samples within 3σ of each mode (covered: ≥ ${minCount})`;
  const spec =
    p.dataset === 'ring'
      ? heatmap({ title, matrix: [counts], rowLabels: ['count'], colLabels: p.centres.map(([x, y]) => `(${fix1(x)}, ${fix1(y)})`), showValues: true, xTitle: 'mode centre' })
      : heatmap({
          title,
          // Centres are listed x-major from (−4, −4); row 0 is the top (y = 4).
          matrix: [0, 1, 2, 3, 4].map((i) => [0, 1, 2, 3, 4].map((j) => counts[j * 5 + (4 - i)])),
          rowLabels: ['4', '2', '0', '-2', '-4'],
          colLabels: ['-4', '-2', '0', '2', '4'],
          showValues: true,
          xTitle: 'x',
          yTitle: 'y',
        });
  // Counts are integers: the shared heatmap writes values with two decimals, so its text layer is told otherwise.
  const text = (spec.layer as { encoding: { text?: { format?: string } } }[])[1]?.encoding.text;
  if (text) text.format = 'd';
  return spec;
}

export async function ganArtefacts(p: PlotContext, t: GanTraining, report: ModeReport): Promise<Artefact[]> {
  const { modesCovered, modes } = report;
  const out: Artefact[] = [];
  for (const c of t.checkpoints) {
    out.push(...(await plot(`samples-step-${c.step}`, `${p.run}: ${c.samples.length / 2} generated samples after ${c.step} steps, over the data`, samplePlot(p, `${p.run}, step ${c.step}`, c.samples))));
  }
  out.push(
    ...(await plot(
      'samples-final',
      `${p.run}: ${t.samples.length / 2} generated samples after training; ${modesCovered} of ${modes} modes covered`,
      samplePlot(p, `${p.run}: ${modesCovered} of ${modes} modes covered`, t.samples),
    )),
  );
  out.push(
    ...(await plot(
      'mode-counts',
      `${p.run}: high-quality samples (within 3σ) per mode, of ${report.samples}; a mode with at least ${report.modeMinCount} is covered`,
      modeCountPlot(p, report.modeCounts, report.modeMinCount),
    )),
  );
  const critic = p.run === 'wgan-gp';
  out.push(
    ...(await plot(
      'losses',
      `${p.run}: ${critic ? 'critic and generator losses' : 'discriminator and generator losses'} during training`,
      lines({
        title: `${p.run} losses`,
        xTitle: 'step',
        yTitle: 'loss',
        series: [
          { name: critic ? 'critic' : 'D', points: t.history.map((h) => ({ x: h.step, y: h.dLoss })) },
          { name: 'G', points: t.history.map((h) => ({ x: h.step, y: h.gLoss })) },
        ],
      }),
    )),
  );
  const what = critic ? 'the critic’s value (higher: judged more real)' : p.run === 'conditional' ? 'D(x | label of the nearest mode)' : p.run === 'minibatch' ? 'D(x) judged among a batch of fakes' : 'D(x)';
  out.push(
    ...(await plot(
      'd-heatmap',
      `${p.run}: ${what} over the plane after training`,
      heatmap({ title: `${p.run}: ${what}`, matrix: t.heat.values, rowLabels: t.heat.ys.map(label), colLabels: t.heat.xs.map(label), xTitle: 'x', yTitle: 'y', ...(critic ? {} : { domain: [0, 1] as [number, number] }) }),
    )),
  );
  return out;
}

export async function optimalDArtefacts(p: PlotContext, r: OptimalDCheck, gStd: number, gSamples: Float32Array): Promise<Artefact[]> {
  const grid = (title: string, matrix: number[][], domain: [number, number]) =>
    heatmap({ title, matrix, rowLabels: r.ys.map(label), colLabels: r.xs.map(label), xTitle: 'x', yTitle: 'y', domain });
  const err = r.d.map((row, i) => row.map((v, j) => Math.abs(v - r.dStar[i][j])));
  const [lo, hi] = PLANE[p.dataset];
  const inPlane = (q: Point): boolean => q.x >= lo && q.x <= hi && q.y >= lo && q.y <= hi;
  return [
    ...(await plot('d-heatmap', `the trained D(x) against the frozen G (p_g = N(0, ${gStd}² I))`, grid('trained D(x)', r.d, [0, 1]))),
    ...(await plot('dstar-heatmap', `the optimal D*(x) = p_data / (p_data + p_g), computed exactly`, grid('D*(x) = p_data / (p_data + p_g)', r.dStar, [0, 1]))),
    ...(await plot(
      'd-error-heatmap',
      `|D(x) − D*(x)| on the grid: mean ${r.meanAbsError.toFixed(4)}, max ${r.maxAbsError.toFixed(3)}`,
      grid(`|D − D*| (mean ${r.meanAbsError.toFixed(4)})`, err, [0, Math.max(0.05, r.maxAbsError)]),
    )),
    ...(await plot(
      'samples-final',
      `the data (${p.dataset}, std ${p.std}) and samples of the frozen G; points beyond the plotted square are left out`,
      scatter({ title: 'data and frozen G', points: [...points(p.data, () => 'data'), ...points(gSamples, () => 'frozen G')].filter(inPlane), xDomain: [lo, hi], yDomain: [lo, hi], size: 8 }),
    )),
    ...(await plot('losses', 'D’s loss while it trains against the frozen G', lines({ title: 'D loss', xTitle: 'step', yTitle: 'loss', series: [{ name: 'D', points: r.history.map((h) => ({ x: h.step, y: h.dLoss })) }] }))),
  ];
}
