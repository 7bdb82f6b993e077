/**
 * What a student is shown of an artefact question, and what only the instructor sees.
 *
 * The runs of a question carry descriptive keys in the bank (e.g. "vanilla", "minibatch"); a student
 * only ever sees letters. Which run is behind "Run A" is drawn from the question's id and seed, so it
 * is fixed for a (question, seed) and differs between seeds: "Run A" is not always the vanilla GAN.
 * The student view re-renders each plot from its stored vega-lite spec under its letter and names
 * the files by letter; it carries no run or config name, no cache path and no metric. The
 * instructor view adds the key: letters to runs, seeds, configs, cache folders and the answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepwiseError } from '../core/errors.js';
import { sha1 } from '../core/precompiled.js';
import { checkSeed } from '../generators/generate.js';
import { Rng } from '../generators/rng.js';
import { prefixTitle, renderPng, renderSvg, SPEC_SUFFIX, type Spec } from './plots.js';
import { answerQuestion, cachedAnswer, runQuestion, type AnsweredQuestion, type ArtefactQuestion } from './questions.js';
import type { RunOutcome } from './runner.js';

const LETTERS = 'ABCDEF';

/** Run key → letter, a permutation drawn from (question id, seed). */
export function runLetters(q: Pick<ArtefactQuestion, 'id' | 'runs'>, seed: number): Record<string, string> {
  checkSeed(seed);
  // The id is hashed in so two questions with one seed do not share an order.
  const rng = new Rng(parseInt(sha1(`${q.id}\0${seed}`).slice(0, 8), 16));
  const letters = rng.shuffle([...LETTERS.slice(0, q.runs.length)]);
  return Object.fromEntries(q.runs.map((r, i) => [r.name, letters[i]]));
}

/** The prompt with each {{key}} replaced by its run's letter. */
export function studentPrompt(q: Pick<ArtefactQuestion, 'prompt'>, letters: Record<string, string>): string {
  return q.prompt.replace(/\{\{([A-Za-z0-9_-]+)\}\}/g, (m, key: string) => letters[key] ?? m);
}

export interface StudentFile {
  /** e.g. "A-samples-final.png": the letter and the artefact's own (neutral) name. */
  file: string;
  caption: string;
  content: string | Uint8Array;
}

export interface StudentView {
  id: string;
  title?: string;
  seed: number;
  prompt: string;
  /** The letters the prompt and files use, in order. */
  letters: string[];
  /** Each shown plot as .svg and .png, ordered by letter (the bank's order would give the mapping away). */
  files: StudentFile[];
}

export interface InstructorView extends StudentView {
  /** The answer a student must give: a letter for "which run" questions. */
  expected: number | string;
  key: { letter: string; name: string; run: string; seed: number; config: object; cacheDir: string; metricsFile: string; cached: boolean }[];
}

/** A shown entry "key:file.png" as its plot's name ("file"). */
function plotName(entry: string): { key: string; base: string } {
  const [key, file] = entry.split(':');
  return { key, base: file.replace(/\.(png|svg)$/, '') };
}

async function render(q: ArtefactQuestion, seed: number, runs: Record<string, RunOutcome>): Promise<StudentView> {
  const letters = runLetters(q, seed);
  const shown = q.show.map((entry, i) => ({ ...plotName(entry), i })).sort((a, b) => letters[a.key].localeCompare(letters[b.key]) || a.i - b.i);
  const files: StudentFile[] = [];
  for (const s of shown) {
    const letter = letters[s.key];
    const run = runs[s.key];
    const listed = run.manifest.files.find((f) => f.file === `${s.base}${SPEC_SUFFIX}`);
    // The message names the question's entry by position, not the run behind it.
    if (!listed) throw new StepwiseError('internal', `question ${q.id}: show[${s.i}] is not a plot of its run (no ${s.base}${SPEC_SUFFIX})`);
    const spec = prefixTitle(JSON.parse(readFileSync(join(run.dir, listed.file), 'utf8')) as Spec, `Run ${letter} · `);
    const svg = await renderSvg(spec);
    const caption = `Run ${letter}: ${listed.caption}`;
    files.push({ file: `${letter}-${s.base}.svg`, caption, content: svg }, { file: `${letter}-${s.base}.png`, caption, content: await renderPng(svg) });
  }
  return { id: q.id, ...(q.title ? { title: q.title } : {}), seed, prompt: studentPrompt(q, letters), letters: Object.values(letters).sort(), files };
}

/** The question as a student sees it for this seed: prompt and plots under run letters, nothing else. */
export async function studentArtefacts(q: ArtefactQuestion, seed: number, progress?: (done: number, total: number) => void): Promise<StudentView> {
  checkSeed(seed);
  return render(q, seed, await runQuestion(q, seed, progress));
}

/** The student view plus the key: which run each letter is, where its cache and metrics are, and the expected answer. */
export async function instructorView(q: ArtefactQuestion, seed: number, progress?: (done: number, total: number) => void): Promise<InstructorView> {
  checkSeed(seed);
  const a = await answerQuestion(q, seed, progress);
  const letters = runLetters(q, seed);
  const view = await render(q, seed, a.runs);
  return {
    ...view,
    expected: studentExpected(q, seed, a),
    key: q.runs
      .map((r) => {
        const o = a.runs[r.name];
        return { letter: letters[r.name], name: r.name, run: o.manifest.run, seed: o.manifest.seed, config: o.manifest.config, cacheDir: o.dir, metricsFile: join(o.dir, 'metrics.json'), cached: o.cached };
      })
      .sort((x, y) => x.letter.localeCompare(y.letter)),
  };
}

/** The answer as a student gives it: a choice's run key becomes the run's letter for this seed. */
function studentExpected(q: ArtefactQuestion, seed: number, a: AnsweredQuestion): number | string {
  return q.answer.type === 'choice' ? runLetters(q, seed)[String(a.expected)] : a.expected;
}

/** The answer a student must give for this seed, from the run cache alone (undefined when a run is not cached): never trains. */
export function cachedStudentAnswer(q: ArtefactQuestion, seed: number): number | string | undefined {
  checkSeed(seed);
  const a = cachedAnswer(q, seed);
  return a && studentExpected(q, seed, a);
}

/** The answer a student must give for this seed, training (or reading from the cache) its runs; no plots are drawn. */
export async function computeStudentAnswer(q: ArtefactQuestion, seed: number, progress?: (done: number, total: number) => void): Promise<number | string> {
  checkSeed(seed);
  return studentExpected(q, seed, await answerQuestion(q, seed, progress));
}
