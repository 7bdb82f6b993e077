/**
 * Artefact questions must not give their answers away: the student view names runs only by letters
 * drawn per question seed, its files and SVG text hold no run or config name, verdict, answer metric
 * or cache path; the GAN sample plots write each mode's count and leave off-plane samples out; the
 * bank's prompts never tie a letter to a run. Runs are tiny (a few steps), so this file stays quick.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { showQuestion } from '../../src/cli/models.js';
import { ganArtefacts, type PlotContext } from '../../src/models/gan/artefacts.js';
import { modeCentres, PLANE } from '../../src/models/gan/data.js';
import { modeReport } from '../../src/models/gan/metrics.js';
import type { GanTraining } from '../../src/models/gan/train.js';
import { ARTEFACT_DIR, loadArtefactQuestions, type ArtefactQuestion } from '../../src/models/questions.js';
import { instructorView, runLetters, studentArtefacts, studentPrompt } from '../../src/models/student.js';

let cache: string;
const saved = process.env.STEPWISE_CACHE;
beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'stepwise-student-'));
  process.env.STEPWISE_CACHE = cache;
});
afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
  if (saved === undefined) delete process.env.STEPWISE_CACHE;
  else process.env.STEPWISE_CACHE = saved;
});

/** Every piece of text an SVG shows or announces: <text> contents, aria-labels and <title>s. */
function svgText(svg: string): string[] {
  const out: string[] = [];
  for (const m of svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)) out.push(m[1]);
  for (const m of svg.matchAll(/aria-label="([^"]*)"/g)) out.push(m[1]);
  for (const m of svg.matchAll(/<title>([^<]*)<\/title>/g)) out.push(m[1]);
  return out;
}

const TINY = { steps: 6, batch: 8, hidden: 8, evalSamples: 200, checkpoints: 0 };

/** A two-run "which run" question on tiny GAN runs, answered by the smaller final D loss (a float: no ties). */
const twoRuns = (id = 'tiny-which-run'): ArtefactQuestion => ({
  id,
  lab: 'gan',
  runs: [
    { name: 'vanilla', run: 'vanilla', seed: 3, config: TINY },
    { name: 'minibatch', run: 'minibatch', seed: 3, config: TINY },
  ],
  prompt: 'Runs A and B train the same GAN; in one of them D uses minibatch discrimination. Which run ends with the lower D loss? Answer A or B.',
  show: ['vanilla:samples-final.png', 'minibatch:samples-final.png', 'vanilla:mode-counts.png', 'minibatch:d-heatmap.png'],
  answer: { type: 'choice', pick: 'min', metric: 'finalDLoss' },
});

describe('run letters', () => {
  it('are a permutation fixed by (question, seed), and not always the same order', () => {
    const q = twoRuns();
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const l = runLetters(q, seed);
      expect(runLetters(q, seed)).toEqual(l);
      expect(Object.values(l).sort()).toEqual(['A', 'B']);
      seen.add(l.vanilla);
    }
    // Each order turns up among 40 seeds (a fixed order would fail this with certainty).
    expect([...seen].sort()).toEqual(['A', 'B']);
    const three = { id: 'x', runs: [{ name: 'p' }, { name: 'q' }, { name: 'r' }] } as ArtefactQuestion;
    const orders = new Set(Array.from({ length: 60 }, (_, s) => Object.values(runLetters(three, s)).join('')));
    expect(orders.size).toBe(6);
    // Another question with the same seeds draws its own orders.
    const other = twoRuns('another-question');
    expect(Array.from({ length: 40 }, (_, s) => runLetters(other, s).vanilla)).not.toEqual(Array.from({ length: 40 }, (_, s) => runLetters(q, s).vanilla));
  });

  it('fill {{key}} in the prompt', () => {
    expect(studentPrompt({ prompt: 'Run {{learned}} learns τ; run {{fixed}} does not.' }, { learned: 'B', fixed: 'A' })).toBe('Run B learns τ; run A does not.');
  });

  it('refuse a bad seed', () => {
    expect(() => runLetters(twoRuns(), -1)).toThrow(/seed/);
  });
});

describe('GAN sample plots', () => {
  const centres = modeCentres('ring');
  const std = 0.02;
  // 12 samples at mode 0 (a visible cluster, under the 20 of the VEEGAN rule), 30 at mode 2, 40 at mode 5,
  // 6 between modes, and 10 far outside the plotted square [−3, 3]².
  const at = (k: number, n: number) => Array.from({ length: n }, (_, i) => [centres[k][0] + 0.01 * ((i % 3) - 1), centres[k][1] + 0.01 * (((i / 3) | 0) % 3 - 1)]);
  const pts = [...at(0, 12), ...at(2, 30), ...at(5, 40), ...Array.from({ length: 6 }, (_, i) => [0.1 * i, 0.3]), ...Array.from({ length: 10 }, (_, i) => [8 + i, -9])];
  const samples = Float32Array.from(pts.flat());
  const data = Float32Array.from(centres.flat());
  const training: GanTraining = {
    history: [{ step: 1, dLoss: 1.3, gLoss: 0.7 }],
    checkpoints: [],
    samples,
    heat: { xs: [-2, 0, 2], ys: [2, 0, -2], values: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]] },
  };
  const ctx: PlotContext = { run: 'vanilla', dataset: 'ring', std, centres, data };

  it('write each mode’s count within 3σ, state no verdict, and leave off-plane samples out', async () => {
    const files = await ganArtefacts(ctx, training, modeReport(samples, centres, std));
    const svg = String(files.find((f) => f.file === 'samples-final.svg')?.content);
    const texts = svgText(svg);
    // The counts a student needs for the rule, worked out here by hand: 12, 0, 30, 0, 0, 40, 0, 0.
    const markTexts = [...svg.matchAll(/aria-roledescription="text mark"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(markTexts.sort()).toEqual(['0', '0', '0', '0', '0', '12', '30', '40']);
    const all = [...texts, ...files.map((f) => f.caption), ...files.map((f) => f.file)].join('\n').toLowerCase();
    expect(all).not.toMatch(/covered|vanilla|collapse/);
    // Drawn points: the 8 data points and the 88 samples inside the square, none of the 10 outside.
    const drawn = [...svg.matchAll(/aria-label="x: ([^;]*); y: ([^;]*); group: [^"]*"/g)].map((m) => [Number(m[1].replace('−', '-')), Number(m[2].replace('−', '-'))]);
    expect(drawn).toHaveLength(8 + 88);
    const [lo, hi] = PLANE.ring;
    for (const [x, y] of drawn) {
      expect(x).toBeGreaterThanOrEqual(lo);
      expect(x).toBeLessThanOrEqual(hi);
      expect(y).toBeGreaterThanOrEqual(lo);
      expect(y).toBeLessThanOrEqual(hi);
    }
    expect(files.find((f) => f.file === 'samples-final.png')?.caption).toMatch(/10 of them lie outside the plotted square/);
  });

  it('draw D(x) on numeric axes with a handful of ticks, not one label per cell', async () => {
    const n = 40;
    const grid = Array.from({ length: n }, (_, i) => -3 + (i + 0.5) * (6 / n));
    const heat = { xs: grid, ys: [...grid].reverse(), values: grid.map((_, i) => grid.map((__, j) => (i + j) / (2 * n))) };
    const files = await ganArtefacts(ctx, { ...training, heat }, modeReport(samples, centres, std));
    const svg = String(files.find((f) => f.file === 'd-heatmap.svg')?.content);
    const labels = [...svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>([\s\S]*?)<\/g>/g)].map((m) => [...m[1].matchAll(/<text[^>]*>([^<]*)</g)].map((t) => t[1]));
    expect(labels).toHaveLength(2);
    for (const axis of labels) {
      expect(axis.length).toBeGreaterThanOrEqual(3);
      expect(axis.length).toBeLessThanOrEqual(13);
    }
  });
});

describe('the student view', () => {
  it('names runs by letter only: no run or key name, no cache path, no answer; ordered by letter', async () => {
    const q = twoRuns();
    const inst = await instructorView(q, 7);
    for (const seed of [7, 8]) {
      const v = await studentArtefacts(q, seed);
      const letters = runLetters(q, seed);
      expect(v.files.map((f) => f.file)).toEqual(
        ['samples-final', 'samples-final', 'mode-counts', 'd-heatmap']
          .map((base, i) => ({ base, letter: letters[q.show[i].split(':')[0]], i }))
          .sort((a, b) => a.letter.localeCompare(b.letter) || a.i - b.i)
          .flatMap(({ base, letter }) => [`${letter}-${base}.svg`, `${letter}-${base}.png`]),
      );
      const forbidden = ['covered', cache, 'metrics.json', 'stepwise-student'];
      const text = [v.prompt, ...v.files.map((f) => f.file), ...v.files.map((f) => f.caption), ...v.files.filter((f) => f.file.endsWith('.svg')).flatMap((f) => svgText(String(f.content)))].join('\n');
      for (const w of forbidden) expect(text.toLowerCase()).not.toContain(w.toLowerCase());
      // The prompt may say "minibatch discrimination" (the concept); nothing else may name a run.
      expect(text.replace(v.prompt, '').toLowerCase()).not.toContain('minibatch');
      expect(text.toLowerCase()).not.toContain('vanilla');
      // The answer metric is not in any title.
      for (const k of inst.key) {
        const loss = (JSON.parse(readFileSync(k.metricsFile, 'utf8')) as { metrics: { finalDLoss: number } }).metrics.finalDLoss;
        expect(text).not.toContain(loss.toFixed(3));
      }
      for (const f of v.files.filter((x) => x.file.endsWith('.svg'))) expect(svgText(String(f.content))).toContain(`Run ${f.file[0]} · ${f.file.includes('samples') ? 'samples after training' : f.file.includes('mode-counts') ? 'generated samples within 3σ of each mode' : 'D(x) over the plane'}`);
      for (const f of v.files.filter((x) => x.file.endsWith('.png'))) expect(Buffer.from(f.content as Uint8Array).subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('the instructor view keeps the key, and the expected letter follows the run with the smaller metric', async () => {
    const q = twoRuns();
    const losses: Record<string, number> = {};
    for (const seed of [7, 8]) {
      const v = await instructorView(q, seed);
      const letters = runLetters(q, seed);
      for (const k of v.key) {
        expect(k.letter).toBe(letters[k.name]);
        expect(k.run).toBe(k.name);
        expect(k.cacheDir.startsWith(cache)).toBe(true);
        losses[k.name] = (JSON.parse(readFileSync(k.metricsFile, 'utf8')) as { metrics: { finalDLoss: number } }).metrics.finalDLoss;
      }
      const best = losses.vanilla < losses.minibatch ? 'vanilla' : 'minibatch';
      expect(v.expected).toBe(letters[best]);
    }
  });

  it('leaves the optimal-D answer (mean |D − D*|) out of every picture', async () => {
    const q: ArtefactQuestion = {
      id: 'tiny-optimal-d',
      lab: 'gan',
      runs: [{ name: 'optimal', run: 'optimal-d', config: { steps: 6, batch: 8, hidden: 8, gridSize: 6 } }],
      prompt: 'What is the mean of |D − D*| over the grid in run {{optimal}}?',
      show: ['optimal:d-heatmap.png', 'optimal:dstar-heatmap.png', 'optimal:d-error-heatmap.png'],
      answer: { type: 'number', metric: 'optimal.meanAbsError', tolerance: 0.005 },
    };
    const inst = await instructorView(q, 1);
    expect(inst.prompt).toBe('What is the mean of |D − D*| over the grid in run A?');
    const mean = Number(inst.expected);
    // What is written on the pictures and beside them (the cells' own values are in their aria-labels, so those are left out).
    const text = inst.files.flatMap((f) => (f.file.endsWith('.svg') ? [...String(f.content).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]) : [f.caption])).join('\n');
    for (const digits of [2, 3, 4]) expect(text).not.toContain(mean.toFixed(digits));
    expect(text).not.toMatch(/mean/i);
  });
});

describe('the bank’s prompts', () => {
  const { questions } = loadArtefactQuestions();

  it('never say which run is which in a "which run" question: the prompt reads the same for every letter order', () => {
    for (const q of questions.values()) {
      const prompts = new Set(Array.from({ length: 12 }, (_, s) => studentPrompt(q, runLetters(q, s))));
      if (q.answer.type === 'choice') expect(prompts.size, q.id).toBe(1);
      for (const p of prompts) expect(p, q.id).not.toMatch(/\{\{/);
    }
  });

  it('refuse a prompt that pins a run to a fixed letter, says which run is which in a choice, or names an unknown key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-aq-'));
    const base = JSON.parse(readFileSync(join(ARTEFACT_DIR, 'clip-temperature-loss.json'), 'utf8')) as ArtefactQuestion;
    const write = (name: string, q: ArtefactQuestion) => writeFileSync(join(dir, `${name}.json`), JSON.stringify(q));
    write('fixed-letter', { ...base, id: 'fixed-letter', prompt: 'Run A learns τ; run B keeps τ = 1. Which run ends with the lower loss? Answer A or B.' });
    write('which-is-which', { ...base, id: 'which-is-which', prompt: 'Run {{learned}} learns τ; run {{fixed}} keeps τ = 1. Which run ends with the lower loss? Answer A or B.' });
    write('unknown-key', { ...base, id: 'unknown-key', prompt: 'Run {{nope}} learns τ.' });
    write('fine', base);
    const loaded = loadArtefactQuestions(dir);
    expect(loaded.problems.map((p) => [p.file.split('/').pop(), p.field]).sort()).toEqual([
      ['fixed-letter.json', 'prompt'],
      ['unknown-key.json', 'prompt'],
      ['which-is-which.json', 'prompt'],
    ]);
    expect([...loaded.questions.keys()]).toEqual(['clip-temperature-loss']);
  });
});

describe('stepwise artefacts question', () => {
  const capture = async (f: () => Promise<void>): Promise<string> => {
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
    try {
      await f();
    } finally {
      spy.mockRestore();
    }
    return chunks.join('');
  };

  it('shows the student view by default and the key only with --instructor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-aq-'));
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify(twoRuns()));
    const out = join(dir, 'out');
    const student = await capture(() => showQuestion('tiny-which-run', { dir, seed: 7, out, json: true }));
    const s = JSON.parse(student) as Record<string, unknown>;
    expect(Object.keys(s).sort()).toEqual(['files', 'id', 'prompt', 'seed']);
    expect(student).not.toMatch(/vanilla|expected|metrics\.json/);
    expect(student).not.toContain(cache);
    expect(readdirSync(out).sort()).toEqual((s.files as { file: string }[]).map((f) => f.file.split('/').pop()).sort());
    expect(readdirSync(out).every((f) => /^[AB]-[a-z-]+\.(svg|png)$/.test(f))).toBe(true);
    const text = await capture(() => showQuestion('tiny-which-run', { dir, seed: 7 }));
    expect(text).toMatch(/^Runs A and B train the same GAN/);
    expect(text).not.toMatch(/vanilla|expected/);
    const inst = await capture(() => showQuestion('tiny-which-run', { dir, seed: 7, instructor: true }));
    const letters = runLetters(twoRuns(), 7);
    expect(inst).toContain(`Run ${letters.vanilla} = vanilla (gan run vanilla, seed 3): ${cache}`);
    expect(inst).toMatch(/expected answer: [AB]\n$/);
  });
});
