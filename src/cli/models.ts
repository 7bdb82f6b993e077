/** The CLI's mini-model commands: doctor, artefact, artefacts warm / question. */
import { bar } from './progress.js';
import { describeBackend, tensorflow } from '../models/runtime.js';
import { runLab } from '../models/runner.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerQuestion, loadArtefactQuestions, runSeedsFor, type ArtefactQuestion } from '../models/questions.js';
import { instructorView, studentArtefacts, type InstructorView } from '../models/student.js';
import { LABS } from '../models/labs.js';
import { StepwiseError } from '../core/errors.js';

export async function doctor(json: boolean): Promise<void> {
  const { tf, report } = await tensorflow();
  const info = { ...report, tfjs: tf.version.tfjs, labs: LABS.map((l) => ({ id: l.id, runs: Object.keys(l.runs) })) };
  process.stdout.write(json ? JSON.stringify(info) + '\n' : `${describeBackend(report)}\nTensorFlow.js ${tf.version.tfjs}\nlabs: ${info.labs.map((l) => `${l.id} (${l.runs.join(', ')})`).join('; ')}\n`);
}

/** "--set key=value" pairs as a config object; values are JSON where they parse, else strings. */
export function parseSets(sets: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new StepwiseError('invalid_request', `--set takes key=value, got "${s}"`, '--set');
    const raw = s.slice(eq + 1);
    try {
      out[s.slice(0, eq)] = JSON.parse(raw);
    } catch {
      out[s.slice(0, eq)] = raw;
    }
  }
  return out;
}

export async function artefact(lab: string, opts: { run?: string; seed?: number; set?: string[]; out: string; json?: boolean }): Promise<void> {
  const b = bar(`${lab}${opts.run ? `/${opts.run}` : ''}`);
  const outcome = await runLab({ lab, run: opts.run, seed: opts.seed, config: parseSets(opts.set), out: opts.out, progress: (d, t) => b.update(d, t) });
  b.stop();
  const m = outcome.manifest;
  if (opts.json) {
    process.stdout.write(JSON.stringify({ ...m, cached: outcome.cached, out: opts.out }) + '\n');
    return;
  }
  process.stdout.write(
    [
      `${m.lab}/${m.run} seed ${m.seed} on ${m.backend}${outcome.cached ? ' (from the cache)' : `, trained in ${m.seconds} s`} → ${opts.out}`,
      ...m.files.map((f) => `  ${f.file}: ${f.caption}`),
      `  metrics.json: ${JSON.stringify(m.metrics).slice(0, 400)}`,
    ].join('\n') + '\n',
  );
}

/** The first question seed that draws each of the question's run seeds. */
function questionSeedPerRunSeed(q: ArtefactQuestion): number[] {
  const want = new Set(q.runSeeds ?? [0]);
  const found = new Map<number, number>();
  for (let seed = 0; found.size < want.size && seed < 100_000; seed++) {
    const r = q.runSeeds ? Object.values(runSeedsFor(q, seed))[0] : 0;
    if (!found.has(r)) found.set(r, seed);
  }
  return [...found.values()];
}

/** Runs every run the artefact questions need (a cold cache trains them once). */
export async function warm(json: boolean): Promise<void> {
  const { questions, problems } = loadArtefactQuestions();
  if (problems.length > 0) throw new StepwiseError('invalid_request', problems.map((p) => `${p.file}${p.field ? ` at ${p.field}` : ''}: ${p.message}`).join('; '));
  const rows = [];
  for (const q of questions.values()) {
    // One question seed per run seed the question draws from, so each of its runs is trained once.
    for (const seed of questionSeedPerRunSeed(q)) {
      const runSeed = Object.values(runSeedsFor(q, seed))[0];
      const b = bar(`${q.id} (run seed ${runSeed})`);
      const a = await answerQuestion(q, seed, (d, t) => b.update(d, t));
      b.stop();
      // A choice's answer is a run's key here (letters are per question seed): the instructor's view of the pool.
      rows.push({ id: q.id, runSeed, expected: a.expected, runs: Object.fromEntries(Object.entries(a.runs).map(([n, r]) => [n, { run: r.manifest.run, cached: r.cached, seconds: r.manifest.seconds }])) });
      if (!json) process.stdout.write(`${q.id} run seed ${runSeed}: expected ${JSON.stringify(a.expected)} (${Object.values(a.runs).filter((r) => !r.cached).length} runs trained)\n`);
    }
  }
  if (json) process.stdout.write(JSON.stringify(rows) + '\n');
}

/**
 * An artefact question for a seed. By default the student view: the prompt and the plots under run
 * letters (written to --out), with no run name, cache path or answer. --instructor adds the key:
 * which run each letter is, its cache folder and metrics.json, and the expected answer.
 */
export async function showQuestion(id: string, opts: { out?: string; json?: boolean; seed?: number; instructor?: boolean; /** Another bank folder (tests). */ dir?: string }): Promise<void> {
  const { questions } = loadArtefactQuestions(opts.dir);
  const q = questions.get(id);
  if (!q) throw new StepwiseError('unknown_question', `unknown artefact question ${JSON.stringify(id)}; ids: ${[...questions.keys()].join(', ')}`);
  const seed = opts.seed ?? 1;
  const b = bar(q.id);
  const progress = (d: number, t: number) => b.update(d, t);
  const view = opts.instructor ? await instructorView(q, seed, progress) : await studentArtefacts(q, seed, progress);
  b.stop();
  if (opts.out) {
    mkdirSync(opts.out, { recursive: true });
    for (const f of view.files) writeFileSync(join(opts.out, f.file), f.content);
  }
  const files = view.files.map((f) => ({ file: opts.out ? join(opts.out, f.file) : f.file, caption: f.caption }));
  const key = opts.instructor ? { expected: (view as InstructorView).expected, key: (view as InstructorView).key } : undefined;
  if (opts.json) {
    process.stdout.write(JSON.stringify({ id: view.id, seed, prompt: view.prompt, files, ...key }) + '\n');
    return;
  }
  const lines = [view.prompt, '', opts.out ? 'files:' : 'files (write them with --out <dir>):', ...files.map((f) => `  ${f.file}: ${f.caption}`)];
  if (key) {
    lines.push('', 'key (instructor only):', ...key.key.map((k) => `  Run ${k.letter} = ${k.name} (${q.lab} run ${k.run}, seed ${k.seed}): ${k.metricsFile}`), `expected answer: ${key.expected}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}
