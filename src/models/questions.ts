/**
 * Conceptual questions bound to live runs (question-bank/artefacts/*.json): "Which run shows mode
 * collapse?", "How many of the 8 modes does this run cover?". The expected answer is read from the
 * runs' own metrics, so it is right for the artefacts shown; it is computed by running (or reading
 * from the cache) exactly the runs the question names. The runs carry descriptive keys here; the
 * prompt writes {{key}} where a run's letter goes, and student.ts draws the letters per seed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepwiseError } from '../core/errors.js';
import { QUESTION_BANK_DIR } from '../core/paths.js';
import { ajvError, validatorFor } from '../solvers/params.js';
import { sha1 } from '../core/precompiled.js';
import { getLab } from './labs.js';
import { cachedRun, resolveRun, runLab, type RunOutcome } from './runner.js';
import { BACKENDS, loadedBackend } from './runtime.js';

export const ARTEFACT_DIR = join(QUESTION_BANK_DIR, 'artefacts');
const SCHEMA = 'artefact-question.schema.json';

export type ArtefactAnswer =
  | { type: 'number'; metric: string; tolerance?: number }
  | { type: 'text'; metric: string }
  | { type: 'choice'; pick: 'min' | 'max'; metric: string };

export interface ArtefactQuestion {
  id: string;
  title?: string;
  lab: 'gan' | 'clip' | 'tvlt';
  /** For exam builders and lists (default medium). */
  difficulty?: 'easy' | 'medium' | 'hard';
  /** The answer's marks (default 1). */
  marks?: number;
  runs: { name: string; run: string; seed?: number; config?: Record<string, unknown> }[];
  /**
   * The run seeds a question seed draws from: every run of the question is trained with the drawn
   * one, so two students can get different runs and different right answers. Each was checked
   * (`stepwise artefacts warm`) to give an answer with no tie. Absent: each run's own seed (default 1).
   */
  runSeeds?: number[];
  prompt: string;
  show: string[];
  answer: ArtefactAnswer;
}

export interface LoadedQuestions {
  questions: Map<string, ArtefactQuestion>;
  problems: { file: string; field: string; message: string }[];
}

/** Loads and checks every artefact question; a bad file is reported and skipped. */
export function loadArtefactQuestions(dir = ARTEFACT_DIR): LoadedQuestions {
  const out: LoadedQuestions = { questions: new Map(), problems: [] };
  const validate = validatorFor('artefact-question', JSON.parse(readFileSync(join(ARTEFACT_DIR, SCHEMA), 'utf8')) as object);
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json') && x !== SCHEMA).sort()) {
    const file = join('question-bank', 'artefacts', f);
    try {
      const data = JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
      if (!validate(data)) {
        const e = ajvError(validate.errors?.[0], 'invalid_request', 'question');
        throw Object.assign(new Error(e.message), { field: (e.path ?? '').replace(/^question\.?/, '') });
      }
      const q = data as ArtefactQuestion;
      checkQuestion(q);
      if (out.questions.has(q.id)) throw Object.assign(new Error(`question id ${q.id} is already used`), { field: 'id' });
      out.questions.set(q.id, q);
    } catch (e) {
      out.problems.push({ file, field: (e as { field?: string }).field ?? '', message: (e as Error).message });
    }
  }
  return out;
}

function checkQuestion(q: ArtefactQuestion): void {
  const lab = getLab(q.lab);
  const names = new Set<string>();
  q.runs.forEach((r, i) => {
    if (q.runSeeds && r.seed !== undefined) throw Object.assign(new Error('a run has no seed of its own when the question draws its run seeds (runSeeds)'), { field: `runs[${i}].seed` });
    if (names.has(r.name)) throw Object.assign(new Error(`run name ${r.name} is used twice`), { field: `runs[${i}].name` });
    names.add(r.name);
    try {
      resolveRun(lab, r.run, r.config);
    } catch (e) {
      throw Object.assign(new Error((e as Error).message), { field: `runs[${i}]` });
    }
  });
  // Letters are drawn per seed, so a prompt names a run only through {{key}}, never by a letter of its own.
  for (const m of q.prompt.matchAll(/\{\{([^}]*)\}\}/g)) {
    if (!names.has(m[1])) throw Object.assign(new Error(`prompt's {{${m[1]}}} names no run of the question (${[...names].join(', ')})`), { field: 'prompt' });
  }
  // A "which run" prompt must read the same whichever run is A: naming one would say which is which.
  if (q.answer.type === 'choice' && /\{\{/.test(q.prompt)) {
    throw Object.assign(new Error('a "which run" question must not say which run is which: no {{key}} in its prompt'), { field: 'prompt' });
  }
  // "Runs A and B" names them all; "run B keeps τ = 1" pins one run to a letter.
  if (q.runs.length > 1 && /\b[Rr]un [A-F]\b/.test(q.prompt.replace(/\b[Rr]uns [A-F](, [A-F])* (and|or) [A-F]\b/g, ''))) {
    throw Object.assign(new Error('the prompt names a run by a fixed letter; write {{key}} (letters are drawn per seed)'), { field: 'prompt' });
  }
  q.show.forEach((s, i) => {
    if (!names.has(s.split(':')[0])) throw Object.assign(new Error(`"${s}" names no run of the question`), { field: `show[${i}]` });
  });
  if (q.answer.type !== 'choice' && !names.has(q.answer.metric.split('.')[0])) {
    throw Object.assign(new Error(`answer.metric must start with a run name (${[...names].join(', ')})`), { field: 'answer.metric' });
  }
}

/** A value at a dotted path ("zeroShot.examples.0.predicted") in a run's metrics. */
export function metricAt(metrics: Record<string, unknown>, path: string): unknown {
  let v: unknown = metrics;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !(part in (v as object))) {
      throw new StepwiseError('internal', `the run's metrics have no ${path}`);
    }
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export interface AnsweredQuestion {
  question: ArtefactQuestion;
  /** Each run's outcome, by its name in the question. */
  runs: Record<string, RunOutcome>;
  expected: number | string;
}

/**
 * The seed each run of the question is trained with for a question seed: one of `runSeeds`, drawn
 * from (id, seed) apart from the letters' draw, or each run's own seed.
 */
export function runSeedsFor(q: Pick<ArtefactQuestion, 'id' | 'runs' | 'runSeeds'>, seed: number): Record<string, number> {
  const pool = q.runSeeds;
  const drawn = pool && pool.length > 0 ? pool[parseInt(sha1(`${q.id}\0runs\0${seed}`).slice(0, 8), 16) % pool.length] : undefined;
  return Object.fromEntries(q.runs.map((r) => [r.name, drawn ?? r.seed ?? 1]));
}

/** Runs (or reads from the cache) every run the question names for a question seed, by key. */
export async function runQuestion(q: ArtefactQuestion, seed: number, progress?: (done: number, total: number) => void): Promise<Record<string, RunOutcome>> {
  const seeds = runSeedsFor(q, seed);
  const runs: Record<string, RunOutcome> = {};
  for (const r of q.runs) runs[r.name] = await runLab({ lab: q.lab, run: r.run, seed: seeds[r.name], config: r.config, progress });
  return runs;
}

/** Runs (or reads from the cache) every run the question names for a question seed, and reads its expected answer (a run key for a choice; student.ts turns it into a letter). */
export async function answerQuestion(q: ArtefactQuestion, seed: number, progress?: (done: number, total: number) => void): Promise<AnsweredQuestion> {
  const runs = await runQuestion(q, seed, progress);
  return { question: q, runs, expected: expectedFrom(q, runs) };
}

/**
 * The question answered from the run cache alone, or undefined when a run is missing: never trains,
 * never loads TensorFlow.js. The cache is keyed by backend; before this process has loaded one, the
 * forced backend (STEPWISE_BACKEND) is read, else the first backend of the ladder (best first) that
 * holds every run, which is the one `stepwise artefacts warm` used on this machine.
 */
export function cachedAnswer(q: ArtefactQuestion, seed: number): AnsweredQuestion | undefined {
  const seeds = runSeedsFor(q, seed);
  const forced = process.env.STEPWISE_BACKEND;
  const backends: readonly string[] = loadedBackend() ? [loadedBackend()!] : forced ? [forced] : BACKENDS;
  for (const backend of backends) {
    const runs: Record<string, RunOutcome> = {};
    for (const r of q.runs) {
      const o = cachedRun({ lab: q.lab, run: r.run, seed: seeds[r.name], config: r.config }, backend);
      if (!o) break;
      runs[r.name] = o;
    }
    if (Object.keys(runs).length === q.runs.length) return { question: q, runs, expected: expectedFrom(q, runs) };
  }
  return undefined;
}

/** The expected answer read from the runs' metrics (a run key for a choice). */
function expectedFrom(q: ArtefactQuestion, runs: Record<string, RunOutcome>): number | string {
  const a = q.answer;
  if (a.type === 'choice') {
    const scored = q.runs.map((r) => ({ name: r.name, v: Number(metricAt(runs[r.name].manifest.metrics, a.metric)) }));
    scored.sort((x, y) => (a.pick === 'min' ? x.v - y.v : y.v - x.v));
    if (scored.length > 1 && scored[0].v === scored[1].v) {
      throw new StepwiseError('internal', `question ${q.id} is ambiguous: runs ${scored[0].name} and ${scored[1].name} tie on ${a.metric} (${scored[0].v})`);
    }
    return scored[0].name;
  }
  const [name, ...path] = a.metric.split('.');
  const v = metricAt(runs[name].manifest.metrics, path.join('.'));
  return a.type === 'number' ? Number(v) : String(v);
}

/** Whether a student's answer matches: numbers within the tolerance, text and choices ignoring case. */
export function checkAnswer(q: ArtefactQuestion, expected: number | string, given: string): boolean {
  if (q.answer.type === 'number') return Math.abs(Number(given) - Number(expected)) <= (q.answer.tolerance ?? 0) + 1e-9;
  return given.trim().toLowerCase() === String(expected).trim().toLowerCase();
}
