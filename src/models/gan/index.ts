/**
 * The GAN lab: mode collapse and its remedies on the ring of 8 and the grid of 25 Gaussians, scored
 * with the VEEGAN protocol, and a check that a trained D approaches the optimal D* of a frozen G.
 */
import { readAll, readValues } from '../read.js';
import { StepwiseError } from '../../core/errors.js';
import { defineLab, type LabResult, type RunContext } from '../lab.js';
import { randomNormal } from '../nn.js';
import { ganArtefacts, optimalDArtefacts, type PlotContext } from './artefacts.js';
import { checkConfig, checkRunFields, configSchema, type GanConfig, type GanRun } from './config.js';
import { modeCentres, sampleData, STANDARD_STD } from './data.js';
import { labelAccuracy, modeReport } from './metrics.js';
import { checkOptimalD } from './optimal-d.js';
import { RUNS } from './runs.js';
import { trainGan } from './train.js';

/** Data points drawn for the plots. */
const PLOT_DATA = 500;

const round = (x: number, places = 4): number => Number(x.toFixed(places));

/** Metrics must be plain finite numbers; a diverged run says so instead of writing NaN. */
function finite(x: number, what: string, field: string): number {
  if (!Number.isFinite(x)) throw new StepwiseError('invalid_request', `training diverged: ${what} is ${x}; try a smaller learning rate`, field);
  return x;
}

async function runGan(run: Exclude<GanRun, 'optimal-d'>, c: GanConfig, ctx: RunContext): Promise<LabResult> {
  const { tf, rng } = ctx;
  const std = c.dataStd ?? STANDARD_STD[c.dataset];
  const centres = modeCentres(c.dataset);
  const t = await trainGan(tf, rng, run, c, ctx.progress);
  const report = modeReport(t.samples, centres, std);
  const last = t.history[t.history.length - 1];
  const metrics: Record<string, unknown> = {
    dataset: c.dataset,
    dataStd: std,
    ...report,
    highQuality: round(report.highQuality),
    ...(t.labels ? { labelAccuracy: round(labelAccuracy(t.samples, t.labels, centres, std)) } : {}),
    finalDLoss: round(finite(last.dLoss, 'the final D loss', 'config.lrD')),
    finalGLoss: round(finite(last.gLoss, 'the final G loss', 'config.lrG')),
    checkpoints: t.checkpoints.map((k) => {
      const r = modeReport(k.samples, centres, std);
      return { step: k.step, modesCovered: r.modesCovered, highQuality: round(r.highQuality) };
    }),
  };
  const data = await readValues(tf, () => sampleData(tf, rng, centres, std, PLOT_DATA).x);
  const plots: PlotContext = { run, dataset: c.dataset, std, centres, data };
  return { metrics, artefacts: await ganArtefacts(plots, t, report) };
}

async function runOptimalD(c: GanConfig, ctx: RunContext): Promise<LabResult> {
  const { tf, rng } = ctx;
  const std = c.dataStd ?? STANDARD_STD[c.dataset];
  const centres = modeCentres(c.dataset);
  const r = await checkOptimalD(tf, rng, c, ctx.progress);
  const gStd = c.gStd as number;
  const [data, g] = await readAll(tf, () => [sampleData(tf, rng, centres, std, PLOT_DATA).x, randomNormal(tf, rng, [PLOT_DATA, 2], 0, gStd)]);
  const metrics = {
    dataset: c.dataset,
    dataStd: std,
    gStd,
    meanAbsError: round(finite(r.meanAbsError, 'the mean |D − D*|', 'config.lrD'), 5),
    maxAbsError: round(r.maxAbsError),
    weightedAbsError: round(r.weightedAbsError, 5),
    gridCells: r.xs.length * r.ys.length,
    finalDLoss: round(r.history[r.history.length - 1].dLoss),
  };
  return { metrics, artefacts: await optimalDArtefacts({ run: 'optimal-d', dataset: c.dataset, std, centres, data }, r, gStd, g) };
}

export const ganLab = defineLab<GanConfig>({
  id: 'gan',
  title: 'GANs on 2-D mixtures: mode collapse and its remedies',
  runs: RUNS,
  configSchema,
  checkConfig(c, run) {
    checkConfig(c);
    checkRunFields(run as GanRun, c);
  },
  async run(runName, config, ctx) {
    const run = runName as GanRun;
    return run === 'optimal-d' ? runOptimalD(config, ctx) : runGan(run, config, ctx);
  },
});
