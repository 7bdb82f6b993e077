/** The mini-model infrastructure: backend ladder, runner (config checks, cache, leak check), plots, nn, artefact questions. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineLab } from '../../src/models/lab.js';
import { matMul, dense, mlp, disposeLayers } from '../../src/models/nn.js';
import { heatmap, plot, scatter } from '../../src/models/plots.js';
import { checkAnswer, loadArtefactQuestions, metricAt } from '../../src/models/questions.js';
import { resolveRun, runLab } from '../../src/models/runner.js';
import { tensorflow, type Tf } from '../../src/models/runtime.js';
import { Rng } from '../../src/generators/rng.js';

let tf: Tf;
const cache = mkdtempSync(join(tmpdir(), 'stepwise-cache-'));
beforeAll(async () => {
  process.env.STEPWISE_CACHE = cache;
  tf = (await tensorflow()).tf;
});
afterAll(() => {
  delete process.env.STEPWISE_CACHE;
});

let calls = 0;
const toy = defineLab<{ n: number; leak: boolean }>({
  id: 'gan',
  title: 'toy',
  runs: { sum: { summary: 'sums n seeded normals', defaults: { n: 4, leak: false } } },
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['n', 'leak'],
    properties: { n: { type: 'integer', minimum: 1, maximum: 100 }, leak: { type: 'boolean' } },
  },
  async run(_run, c, ctx) {
    calls++;
    const t = ctx.tf.randomNormal([c.n], 0, 1, 'float32', ctx.rng.int(0, 1e9));
    const sum = t.sum();
    const total = (await sum.data())[0];
    sum.dispose();
    if (!c.leak) t.dispose();
    ctx.progress(1, 1);
    return { metrics: { total }, artefacts: [{ file: 'total.json', caption: 'the total', content: JSON.stringify({ total }) }] };
  },
});

describe('backend ladder', () => {
  it('picks a working backend and says why better ones were passed over', async () => {
    const { report } = await tensorflow();
    expect(['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(report.backend);
    if (report.backend !== 'webgpu') expect(report.passedOver.map((p) => p.backend)).toContain('webgpu');
    for (const p of report.passedOver) expect(p.reason.length).toBeGreaterThan(5);
  });

  // CI has Mesa's software Vulkan (for the WebGPU tests) and no GPU: Dawn offers llvmpipe, which
  // runs shaders on the CPU, slower than WASM; the ladder must not take it unless asked by name.
  it.runIf(process.env.CI === 'true')('passes over a software WebGPU adapter for WASM, saying so', async () => {
    const { report } = await tensorflow();
    expect(report.backend).toBe('wasm');
    expect(report.passedOver.find((p) => p.backend === 'webgpu')?.reason).toMatch(/only a software adapter \(.*llvmpipe.*\), slower than WASM; STEPWISE_BACKEND=webgpu uses it/);
  });
});

describe('runner', () => {
  it('checks configs and names the failing field', () => {
    expect(() => resolveRun(toy, 'nope')).toThrow(/has no run "nope"; runs: sum/);
    expect(() => resolveRun(toy, 'sum', { n: -1 })).toThrow(/config\.n must be >= 1/);
    expect(() => resolveRun(toy, 'sum', { colour: 'red' })).toThrow(/unknown field "colour"/);
    expect(resolveRun(toy, 'sum', { n: 7 }).config).toEqual({ n: 7, leak: false });
  });

  it('is deterministic for a seed, caches by (run, config, seed, backend), and copies artefacts out', async () => {
    const before = calls;
    const a = await runLab({ lab: toy, run: 'sum', seed: 3 });
    const b = await runLab({ lab: toy, run: 'sum', seed: 3 });
    expect(a.cached).toBe(false);
    expect(b.cached).toBe(true);
    expect(b.manifest.metrics).toEqual(a.manifest.metrics);
    expect(calls - before).toBe(1);
    const other = await runLab({ lab: toy, run: 'sum', seed: 4 });
    expect(other.manifest.metrics.total).not.toBe(a.manifest.metrics.total);
    // Clearing the cache and running again gives the same numbers: determinism, not just caching.
    const fresh = await runLab({ lab: toy, run: 'sum', seed: 3, config: { n: 4 }, out: join(cache, 'out') });
    expect(fresh.manifest.metrics).toEqual(a.manifest.metrics);
    expect(readdirSync(join(cache, 'out')).sort()).toEqual(['metrics.json', 'total.json']);
  });

  it('refuses a run that leaks tensors', async () => {
    await expect(runLab({ lab: toy, run: 'sum', seed: 9, config: { leak: true } })).rejects.toThrow(/left 1 tensors behind/);
  });
});

describe('nn', () => {
  it('matMul’s explicit-transpose gradient equals tf.matMul’s', () => {
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[1, 0], [0, 1], [2, -1]]);
    const g1 = tf.grads((x, y) => tf.sum(tf.square(matMul(tf, x as never, y as never))))([a, b]);
    const g2 = tf.grads((x, y) => tf.sum(tf.square(tf.matMul(x as never, y as never))))([a, b]);
    for (let k = 0; k < 2; k++) {
      const d = tf.max(tf.abs(tf.sub(g1[k], g2[k]))).dataSync()[0];
      expect(d).toBeLessThan(1e-4);
    }
    tf.dispose([a, b, ...g1, ...g2]);
  });

  it('dense layers initialise the same from the same seed, and leave nothing behind when disposed', () => {
    const before = tf.memory().numTensors;
    const l1 = [dense(tf, new Rng(5), 3, 4)];
    const l2 = [dense(tf, new Rng(5), 3, 4)];
    const x = tf.tensor2d([[1, 2, 3]]);
    const y1 = tf.tidy(() => mlp(tf, l1, x));
    const y2 = tf.tidy(() => mlp(tf, l2, x));
    expect(Array.from(y1.dataSync())).toEqual(Array.from(y2.dataSync()));
    tf.dispose([x, y1, y2]);
    disposeLayers([...l1, ...l2]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('plots', () => {
  it('renders vega-lite specs to SVG and PNG', async () => {
    const [svg, png] = await plot('pts', 'three points', scatter({ title: 'Three points', points: [{ x: 0, y: 0 }, { x: 1, y: 2 }, { x: 2, y: 1, group: 'b' }] }));
    expect(svg.file).toBe('pts.svg');
    expect(String(svg.content)).toMatch(/^<svg[\s\S]*Three points[\s\S]*<\/svg>$/);
    expect(Buffer.from(png.content as Uint8Array).subarray(1, 4).toString()).toBe('PNG');
    const [hm] = await plot('hm', 'a 2×2 heatmap', heatmap({ title: 'H', matrix: [[0, 1], [1, 0]], showValues: true }));
    expect(String(hm.content)).toMatch(/1\.00/);
  });
});

describe('artefact questions', () => {
  it('reads metrics by dotted path and checks answers', () => {
    const m = { a: 1, zeroShot: { examples: [{ predicted: 'a photo of a red circle' }] } };
    expect(metricAt(m, 'zeroShot.examples.0.predicted')).toBe('a photo of a red circle');
    expect(() => metricAt(m, 'zeroShot.missing')).toThrow(/no zeroShot\.missing/);
    const q = { answer: { type: 'number', metric: 'A.x', tolerance: 0.5 } } as Parameters<typeof checkAnswer>[0];
    expect(checkAnswer(q, 3, '3.4')).toBe(true);
    expect(checkAnswer(q, 3, '3.6')).toBe(false);
    const t = { answer: { type: 'text', metric: 'A.x' } } as Parameters<typeof checkAnswer>[0];
    expect(checkAnswer(t, 'Red Circle', ' red circle ')).toBe(true);
  });

  it('reports a malformed question file with its field and keeps the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-aq-'));
    const ok = { id: 'ok-one', lab: 'gan', runs: [{ name: 'A', run: Object.keys(toy.runs)[0] }], prompt: 'p', show: ['A:x.png'], answer: { type: 'number', metric: 'A.total' } };
    writeFileSync(join(dir, 'bad-lab.json'), JSON.stringify({ ...ok, id: 'bad', lab: 'vae' }));
    writeFileSync(join(dir, 'bad-show.json'), JSON.stringify({ ...ok, id: 'bad-show', show: ['Z:x.png'] }));
    writeFileSync(join(dir, 'broken.json'), '{');
    const loaded = loadArtefactQuestions(dir);
    expect(loaded.problems.map((p) => p.file.split('/').pop()).sort()).toEqual(['bad-lab.json', 'bad-show.json', 'broken.json']);
    expect(loaded.problems.find((p) => p.file.endsWith('bad-lab.json'))?.field).toBe('lab');
  });

  it('the built-in artefact questions all load', () => {
    const { problems } = loadArtefactQuestions();
    expect(problems).toEqual([]);
  });
});

it('the artefact files are what the manifest lists', async () => {
  const r = await runLab({ lab: toy, run: 'sum', seed: 11 });
  const manifest = JSON.parse(readFileSync(join(r.dir, 'metrics.json'), 'utf8')) as { files: { file: string }[] };
  expect(manifest.files.map((f) => f.file)).toEqual(['total.json']);
});

describe('FlatAdam', () => {
  it('takes the same steps as tf.train.adam', async () => {
    const { FlatAdam } = await import('../../src/models/optim.js');
    const before = tf.memory().numTensors;
    const init = [[0.5, -1], [2, 0.25]];
    // Made in tidies: tf.variable keeps its own copy, so the initial tensors go with the tidy.
    const make = () => [tf.tidy(() => tf.variable(tf.tensor2d(init))), tf.tidy(() => tf.variable(tf.tensor1d([0.1, -0.2])))];
    const a = make();
    const b = make();
    const x = tf.tensor2d([[1, 2], [3, -1], [0.5, 0.5]]);
    const loss = (v: typeof a) => () => tf.mean(tf.square(tf.add(tf.matMul(x, v[0] as never), v[1]))) as import('@tensorflow/tfjs').Scalar;
    const reference = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    const flat = new FlatAdam(tf, b, 0.9, 0.999, 1e-8);
    for (let k = 0; k < 5; k++) {
      reference.minimize(loss(a), false, a);
      const { value, grads } = tf.variableGrads(loss(b), b);
      flat.apply(grads, 0.01);
      tf.dispose([value, ...Object.values(grads)]);
    }
    for (let k = 0; k < 2; k++) {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a[k], b[k]))).dataSync()[0]);
      expect(d).toBeLessThan(1e-5);
    }
    reference.dispose();
    flat.dispose();
    tf.dispose([...a, ...b, x]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
