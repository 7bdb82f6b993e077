/** The GAN lab's plots, all through the shared vega-lite helpers. */
import type { Artefact } from '../lab.js';
import { fieldHeatmap, heatmap, inDomain, lines, plot, scatter, type Point } from '../plots.js';
import { PLANE, type Dataset } from './data.js';
import { modeReport, nearestMode, type ModeReport } from './metrics.js';
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

/** How many of the flat [x0, y0, …] points lie outside the plotted square (they are not drawn). */
export function outsidePlane(flat: ArrayLike<number>, [lo, hi]: [number, number]): number {
  let n = 0;
  for (let i = 0; i < flat.length; i += 2) if (!inDomain({ x: flat[i], y: flat[i + 1] }, [lo, hi], [lo, hi])) n++;
  return n;
}

/**
 * Where a mode's count is written: just outside the ring (or above-right of a grid mode), so it
 * never covers the cluster it counts.
 */
function countLabelAt(p: PlotContext, [cx, cy]: [number, number]): { x: number; y: number } {
  if (p.dataset === 'ring') {
    const r = Math.hypot(cx, cy);
    return { x: (cx * (r + 0.45)) / r, y: (cy * (r + 0.45)) / r };
  }
  return { x: cx + 0.5, y: cy + 0.6 };
}

/**
 * Generated points split by whether they are within 3σ of a mode (VEEGAN's "high quality"), over the
 * data, with each mode's count of such samples written beside it: the picture lets a student apply
 * the counting rule the question states, and states no verdict itself. Off-plane samples are left
 * out (the caption says how many).
 */
function samplePlot(p: PlotContext, title: string, samples: Float32Array): ReturnType<typeof scatter> {
  const r2 = (3 * p.std) ** 2;
  const counts = modeReport(samples, p.centres, p.std).modeCounts;
  const quality = (x: number, y: number): string => {
    const [cx, cy] = p.centres[nearestMode(x, y, p.centres)];
    return (x - cx) ** 2 + (y - cy) ** 2 <= r2 ? 'generated, within 3σ of a mode' : 'generated, farther out';
  };
  const plane = PLANE[p.dataset];
  return scatter({
    title,
    points: [...points(p.data, () => 'data'), ...points(samples, quality)],
    xDomain: plane,
    yDomain: plane,
    size: 8,
    labels: p.centres.map((c, k) => ({ ...countLabelAt(p, c), text: String(counts[k]) })),
  });
}

/** The caption's note on samples outside the plotted square. */
const offPlane = (samples: Float32Array, plane: [number, number]): string => {
  const n = outsidePlane(samples, plane);
  return n === 0 ? '' : `; ${n} of them lie outside the plotted square [${plane[0]}, ${plane[1]}]² and are not drawn`;
};

/** One decimal, without the "-0.0" that cos(π/2)·2 would print. */
const fix1 = (v: number): string => (Math.abs(v) < 0.05 ? 0 : v).toFixed(1);

/** High-quality samples per mode, laid out like the modes: one row for the ring, the 5×5 grid for the grid. No verdict: the rule is the question's. */
function modeCountPlot(p: PlotContext, counts: number[]): ReturnType<typeof heatmap> {
  const title = 'generated samples within 3σ of each mode';
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
  const layers = spec.layer as { encoding: { x: Record<string, unknown>; text?: { format?: string } } }[];
  const text = layers[1]?.encoding.text;
  if (text) text.format = 'd';
  if (p.dataset === 'ring') {
    // Cells wide enough for "(−1.4, 1.4)" written level, so the centres read without turning the head.
    spec.width = { step: 72 };
    for (const l of layers) l.encoding.x = { ...l.encoding.x, axis: { labelAngle: 0 } };
  }
  return spec;
}

/**
 * Every title and caption here is neutral: no run name, no remedy, no "modes covered" verdict, as a
 * student is shown them under a run letter. The run's metrics (metrics.json) keep the verdicts.
 */
export async function ganArtefacts(p: PlotContext, t: GanTraining, report: ModeReport): Promise<Artefact[]> {
  const out: Artefact[] = [];
  const plane = PLANE[p.dataset];
  for (const c of t.checkpoints) {
    out.push(
      ...(await plot(
        `samples-step-${c.step}`,
        `${c.samples.length / 2} generated samples after ${c.step} steps, over the data; beside each mode, how many samples lie within 3σ of it${offPlane(c.samples, plane)}`,
        samplePlot(p, `samples after ${c.step} steps`, c.samples),
      )),
    );
  }
  out.push(
    ...(await plot(
      'samples-final',
      `${t.samples.length / 2} generated samples after training, over the data; beside each mode, how many samples lie within 3σ of it${offPlane(t.samples, plane)}`,
      samplePlot(p, 'samples after training', t.samples),
    )),
  );
  out.push(...(await plot('mode-counts', `generated samples within 3σ of each mode, of ${report.samples}`, modeCountPlot(p, report.modeCounts))));
  out.push(
    ...(await plot(
      'losses',
      'D and G losses during training',
      lines({
        title: 'losses',
        xTitle: 'step',
        yTitle: 'loss',
        series: [
          { name: 'D', points: t.history.map((h) => ({ x: h.step, y: h.dLoss })) },
          { name: 'G', points: t.history.map((h) => ({ x: h.step, y: h.gLoss })) },
        ],
      }),
    )),
  );
  // A critic's output is unbounded, so its colour scale is its own range; D's is [0, 1].
  const critic = p.run === 'wgan-gp';
  out.push(
    ...(await plot(
      'd-heatmap',
      `D's output over the plane after training${critic ? ' (its own range)' : ', from 0 (judged fake) to 1 (judged real)'}`,
      fieldHeatmap({ title: 'D(x) over the plane', xs: t.heat.xs, ys: t.heat.ys, values: t.heat.values, ...(critic ? {} : { domain: [0, 1] as [number, number] }) }),
    )),
  );
  return out;
}

/** The optimal-D check's pictures. The mean |D − D*| is a question's answer: it stays in metrics.json, never in a title or caption. */
export async function optimalDArtefacts(p: PlotContext, r: OptimalDCheck, gStd: number, gSamples: Float32Array): Promise<Artefact[]> {
  const grid = (title: string, matrix: number[][], domain: [number, number]) => fieldHeatmap({ title, xs: r.xs, ys: r.ys, values: matrix, domain });
  const err = r.d.map((row, i) => row.map((v, j) => Math.abs(v - r.dStar[i][j])));
  const plane = PLANE[p.dataset];
  return [
    ...(await plot('d-heatmap', `the trained D(x) against the frozen G (p_g = N(0, ${gStd}² I))`, grid('trained D(x)', r.d, [0, 1]))),
    ...(await plot('dstar-heatmap', `the optimal D*(x) = p_data / (p_data + p_g), computed exactly`, grid('D*(x) = p_data / (p_data + p_g)', r.dStar, [0, 1]))),
    ...(await plot('d-error-heatmap', `|D(x) − D*(x)| on the ${r.xs.length} × ${r.ys.length} grid`, grid('|D − D*|', err, [0, Math.max(0.05, r.maxAbsError)]))),
    ...(await plot(
      'samples-final',
      `the data (${p.dataset}, std ${p.std}) and samples of the frozen G${offPlane(gSamples, plane)}`,
      scatter({ title: 'data and frozen G', points: [...points(p.data, () => 'data'), ...points(gSamples, () => 'frozen G')], xDomain: plane, yDomain: plane, size: 8 }),
    )),
    ...(await plot('losses', 'D’s loss while it trains against the frozen G', lines({ title: 'D loss', xTitle: 'step', yTitle: 'loss', series: [{ name: 'D', points: r.history.map((h) => ({ x: h.step, y: h.dLoss })) }] }))),
  ];
}
