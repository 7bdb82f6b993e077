/**
 * Questions about model runs in the terminal drill, in `solve`/`grade` and in batches (CLI and
 * HTTP). Tiny GANs (a few steps, well under a second each) are registered in-process; the right
 * answer is worked out here from the runs' own metrics (trained through the lab runner) and the
 * per-seed letters, never taken from the code under test. A batch never trains: it answers from the
 * run cache or says `not_ready`. The child-process checks read a hand-written run cache for a real
 * bank question, so they train nothing either.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { prepareArtefact } from '../src/cli/artefact-runs.js';
import { runPractice, type PracticeIO } from '../src/cli/practice.js';
import { handleRequest } from '../src/batch/requests.js';
import { gradeAnswers, registerArtefactQuestion, solveProblem, workedSolution } from '../src/engine.js';
import { loadArtefactQuestions, runSeedsFor, type ArtefactQuestion } from '../src/models/questions.js';
import { runCacheDir, runLab } from '../src/models/runner.js';
import { BACKENDS } from '../src/models/runtime.js';
import { runLetters } from '../src/models/student.js';
import { CLI, ROOT, stepwise } from './cli-helpers.js';
import { startHarness, type Harness } from './api/harness.js';
import { howMany as tinyHowMany, TINY, whichRun as tinyWhichRun } from './artefact-fixtures.js';

/** The fixture's "which run" with its run seed drawn per question seed from 3 and 4. */
const whichRun: ArtefactQuestion = {
  ...tinyWhichRun,
  id: 'cli-tiny-which-run',
  title: 'Which tiny run ends lower?',
  runs: tinyWhichRun.runs.map(({ seed: _, ...r }) => r),
  runSeeds: [3, 4],
};

/** The fixture's "how many modes" at run seed 5. */
const howMany: ArtefactQuestion = { ...tinyHowMany, id: 'cli-tiny-how-many', title: 'How many modes?', runs: [{ ...tinyHowMany.runs[0], seed: 5 }] };

let cache: string;
let out: string;
const saved = process.env.STEPWISE_CACHE;
beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'stepwise-cli-artefacts-'));
  out = mkdtempSync(join(tmpdir(), 'stepwise-cli-plots-'));
  process.env.STEPWISE_CACHE = cache;
  registerArtefactQuestion(whichRun);
  registerArtefactQuestion(howMany);
});
afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  if (saved === undefined) delete process.env.STEPWISE_CACHE;
  else process.env.STEPWISE_CACHE = saved;
});

/** The run seed a question seed draws (the bank's draw; the runs and their metrics are ours). */
const drawnRunSeed = (seed: number): number => runSeedsFor(whichRun, seed).vanilla;

/**
 * The nth question seed that draws run seed 3 and the nth that draws 4. Each test takes its own n:
 * answers told to the engine stay known to this process, and a batch test needs a seed it has not seen.
 */
function seedsDrawing(n = 0): { three: number; four: number } {
  const found: Record<number, number[]> = { 3: [], 4: [] };
  for (let s = 0; found[3].length <= n || found[4].length <= n; s++) found[drawnRunSeed(s)].push(s);
  return { three: found[3][n], four: found[4][n] };
}

/** The right letter for a question seed: the run with the lower final D loss, from the runs' own metrics. */
async function rightLetter(seed: number): Promise<string> {
  const runSeed = drawnRunSeed(seed);
  const loss = async (run: string) => Number((await runLab({ lab: 'gan', run, seed: runSeed, config: TINY })).manifest.metrics.finalDLoss);
  const [v, m] = [await loss('vanilla'), await loss('minibatch')];
  expect(v).not.toBe(m);
  return runLetters(whichRun, seed)[v < m ? 'vanilla' : 'minibatch'];
}

function scripted(answers: string[], seeds: number[], again: boolean[] = []) {
  const printed: string[] = [];
  const asked: string[] = [];
  const bars: string[] = [];
  const queue = [...answers];
  const io: PracticeIO = {
    print: (t) => printed.push(t),
    choose: async (_m, choices) => choices[0].value,
    chooseMany: async () => [`question:${whichRun.id}`],
    ask: async (label) => {
      asked.push(label);
      return queue.shift() ?? ':quit';
    },
    confirm: async () => again.shift() ?? false,
    seed: () => seeds.shift() ?? 0,
    progress: (label) => {
      bars.push(label);
      return { update: () => undefined, stop: () => undefined };
    },
  };
  return { io, printed, asked, bars, text: () => printed.join('\n') };
}

/** Nothing a student may not see: no run or config name, no cache folder, no metric value. */
async function expectNothingSecret(text: string, seed: number): Promise<void> {
  expect(text).not.toMatch(/vanilla|minibatch|\bconfig\b|metrics\.json/i);
  expect(text).not.toContain(cache);
  const runSeed = drawnRunSeed(seed);
  for (const run of ['vanilla', 'minibatch']) {
    const loss = Number((await runLab({ lab: 'gan', run, seed: runSeed, config: TINY })).manifest.metrics.finalDLoss);
    expect(text).not.toContain(String(loss).slice(0, 6));
  }
}

describe('the practice drill with a question about model runs', () => {
  it('trains (saying so first), writes the plots, lists them, judges a right answer and counts it', async () => {
    const { three } = seedsDrawing();
    const right = await rightLetter(three); // trains the runs: the drill then reads them from the cache
    rmSync(cache, { recursive: true, force: true }); // cold again, so the drill trains
    mkdirSync(cache, { recursive: true });
    const s = scripted([right], [three]);
    const summary = await runPractice(s.io, { out });
    expect(s.asked).toEqual(['Answer [answer]']);
    expect(summary).toMatchObject({ problems: 1, score: 1, maxScore: 1 });
    expect(summary.byTopic[whichRun.id]).toEqual({ problems: 1, score: 1, maxScore: 1 });
    const text = s.text();
    // Said before training, and a progress bar while it ran.
    expect(text.indexOf('━━')).toBeGreaterThan(-1);
    expect(text.indexOf('10–50 s each on a CPU')).toBeGreaterThan(text.indexOf('━━'));
    expect(text.indexOf('10–50 s each on a CPU')).toBeLessThan(text.indexOf("The runs' plots"));
    expect(s.bars).toEqual([`${whichRun.id} (seed ${three})`]);
    // Each listed PNG exists, under the run letters, captioned.
    const listed = [...text.matchAll(/^ {2}(\/\S+\.png)\n {4}(Run [AB]: .+)$/gm)];
    expect(listed.map((m) => m[1].split('/').pop())).toEqual(['A-samples-final.png', 'B-samples-final.png']);
    for (const [, file] of listed) {
      expect(file.startsWith(out)).toBe(true);
      expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    }
    expect(readdirSync(join(out, `${whichRun.id}-${three}`)).sort()).toEqual(['A-samples-final.png', 'A-samples-final.svg', 'B-samples-final.png', 'B-samples-final.svg']);
    expect(text).toMatch(/✔ correct/);
    expect(text).toContain(`**Answer:** ${right}`.replace(/\*\*/g, '')); // the worked solution, as text
    expect(text).toMatch(/Session: 1 problem, 1 \/ 1 \(100%\)/);
    await expectNothingSecret(text, three);
  }, 60_000);

  it('asks again for a letter that is no run, judges a wrong one, and says nothing about training when the runs are cached', async () => {
    const { three } = seedsDrawing();
    const right = await rightLetter(three);
    const wrong = right === 'A' ? 'B' : 'A';
    const s = scripted(['Z', wrong], [three]);
    const summary = await runPractice(s.io, { out });
    expect(summary).toMatchObject({ problems: 1, score: 0, maxScore: 1 });
    expect(s.asked).toEqual(['Answer [answer]', 'Answer [answer]']);
    expect(s.text()).toMatch(/↺ Cannot read this answer: answer with one of the runs: A, B\./);
    expect(s.text()).toMatch(/✘ not right — Not correct\./);
    expect(s.text()).not.toContain('10–50 s');
    await expectNothingSecret(s.text(), three);
  }, 60_000);

  it('is offered in the chooser with the bank questions', async () => {
    const { four } = seedsDrawing(1);
    const s = scripted([':hint', ':quit'], [four]);
    await runPractice(s.io, {}); // chooseMany picks question:<id>
    expect(s.text()).toMatch(/━━ Which tiny run ends lower\? · medium · seed \d+ ━━/);
    expect(s.text()).toContain("No hint for this question: read the answer from the runs' plots.");
    expect(s.text()).toMatch(/Stopped mid-problem/);
  }, 60_000);
});

describe('solve and grade at the CLI: the runs first, then the answer', () => {
  it('prepareArtefact trains a cold question, saying so on its log, never on stdout; then grading judges right and wrong', async () => {
    const seed = 11;
    const runs = await runLab({ lab: 'gan', run: 'vanilla', seed: 5, config: TINY, out: join(out, 'truth') });
    const truth = Number(runs.manifest.metrics.modesCovered);
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    expect(() => gradeAnswers(howMany.id, { seed }, { answer: '1' })).toThrow(/not computed yet/);
    const log: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write');
    try {
      await prepareArtefact(howMany.id, { seed }, (l) => log.push(l));
      expect(stdout).not.toHaveBeenCalled();
    } finally {
      stdout.mockRestore();
    }
    expect(log).toEqual([expect.stringMatching(/its run is trained on this machine first, 10–50 s each on a CPU/)]);
    expect(solveProblem(howMany.id, { seed }).steps[0].value).toBe(truth);
    expect(gradeAnswers(howMany.id, { seed }, { answer: String(truth) })).toMatchObject({ score: 1, maxScore: 1, steps: [{ status: 'correct' }] });
    expect(gradeAnswers(howMany.id, { seed }, { answer: String(truth + 1) })).toMatchObject({ score: 0, steps: [{ status: 'incorrect' }] });
    expect(workedSolution(howMany.id, { seed })).toContain(`**Answer:** ${truth}`);
  }, 60_000);

  it('refuses bad params before any training, naming the field', async () => {
    await expect(prepareArtefact(howMany.id, { seed: -1 }, () => undefined)).rejects.toThrow(/params\.seed must be an integer/);
    await expect(prepareArtefact(howMany.id, { seed: 1, lr: 2 }, () => undefined)).rejects.toThrow(/params\.lr is not a parameter/);
  });

  it('leaves every other topic and question alone', async () => {
    const log: string[] = [];
    await prepareArtefact('self-attention', { nonsense: true }, (l) => log.push(l));
    expect(log).toEqual([]);
  });
});

describe('a batch never trains: the run cache or not_ready', () => {
  it('answers a seed whose runs are cached and refuses one whose runs are not, naming the question, the seed and the command that fills the cache', async () => {
    const { three, four } = seedsDrawing(2);
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    const right = await rightLetter(three); // runs of run seed 3 only, trained by the lab runner (the engine is not told)
    const before = readdirSync(cache).sort();
    const grade = (seed: number, answer: string) => handleRequest({ op: 'grade', question: whichRun.id, params: { seed }, answers: { answer }, id: seed });
    // handleRequest is synchronous: a reply cannot wait for training.
    const missing = grade(four, 'A');
    expect(missing).toEqual({
      ok: false,
      id: four,
      error: {
        code: 'not_ready',
        message: expect.stringMatching(new RegExp(`question ${whichRun.id}, seed ${four}: .*not in this machine's run cache.*\`npx stepwise artefacts warm\` fills the cache`)),
        path: 'params.seed',
      },
    });
    expect(handleRequest({ op: 'solve', topic: whichRun.id, params: { seed: four } })).toMatchObject({ ok: false, error: { code: 'not_ready' } });
    expect(readdirSync(cache).sort()).toEqual(before); // nothing was trained
    expect(grade(three, right)).toMatchObject({ ok: true, score: 1, steps: [{ status: 'correct', expected: right }] });
    expect(grade(three, right === 'A' ? 'B' : 'A')).toMatchObject({ ok: true, score: 0, steps: [{ status: 'incorrect' }] });
    expect(handleRequest({ op: 'solve', topic: whichRun.id, params: { seed: three } })).toEqual({ ok: true, topic: whichRun.id, steps: [{ id: 'answer', label: 'Answer', value: right }] });
    // Bad params are the engine's own error, not a cache miss.
    expect(handleRequest({ op: 'grade', question: whichRun.id, params: { seed: 'x' }, answers: {} })).toMatchObject({ ok: false, error: { code: 'invalid_params', path: 'params.seed' } });
  }, 60_000);

  it('a cached pair of runs that tie gives an error that names no run', () => {
    const tie: ArtefactQuestion = { ...whichRun, id: 'cli-tiny-tie', runSeeds: undefined, runs: whichRun.runs.map((r) => ({ ...r, seed: 9 })) };
    registerArtefactQuestion(tie);
    // Hand-written entries (for every backend: whichever this process reads), equal final D losses.
    for (const r of tie.runs) {
      for (const backend of BACKENDS) {
        const dir = runCacheDir({ lab: 'gan', run: r.run, seed: 9, config: TINY }, backend);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ lab: 'gan', run: r.run, seed: 9, backend, config: {}, metrics: { finalDLoss: 1.25 }, files: [], seconds: 0, createdAt: '2026-01-01T00:00:00Z' }));
      }
    }
    const reply = handleRequest({ op: 'grade', question: tie.id, params: { seed: 1 }, answers: { answer: 'A' } });
    expect(reply).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining(`question ${tie.id}, seed 1: its cached runs give no answer`) } });
    expect(JSON.stringify(reply)).not.toMatch(/vanilla|minibatch|finalDLoss/);
  });

  describe('over HTTP', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(async () => h.close());

    it('POST /api/v1/batch answers from the run cache, else not_ready, and trains nothing', async () => {
      const { three, four } = seedsDrawing(3);
      const right = await rightLetter(three);
      const before = readdirSync(cache).sort();
      const lines = [four, three].map((seed) => JSON.stringify({ op: 'grade', question: whichRun.id, params: { seed }, answers: { answer: right }, id: seed })).join('\n');
      const r = await h.call('POST', '/api/v1/batch', { key: h.instructor, raw: lines, type: 'application/x-ndjson' });
      expect(r.status, r.text).toBe(200);
      const [cold, warm] = r.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
      expect(cold).toMatchObject({ ok: false, id: four, error: { code: 'not_ready', message: expect.stringContaining('npx stepwise artefacts warm') } });
      expect(warm).toMatchObject({ ok: true, id: three, score: 1 });
      expect(readdirSync(cache).sort()).toEqual(before);
    }, 60_000);
  });
});

describe('the built CLI with a real bank question and a hand-written run cache', () => {
  const Q = 'gan-mode-collapse';
  let fake: string;
  const env = () => ({ STEPWISE_CACHE: fake, STEPWISE_BACKEND: 'cpu' });
  beforeAll(() => {
    fake = mkdtempSync(join(tmpdir(), 'stepwise-cli-fake-cache-'));
  });
  afterAll(() => rmSync(fake, { recursive: true, force: true }));

  /** The cache folder the built CLI reads for a run (its code hash is the built files'). */
  function builtCacheDir(run: string): string {
    // The run seed question seed 3 draws from the question's pool (runSeeds).
    const runSeed = runSeedsFor(loadArtefactQuestions().questions.get(Q)!, 3)[run];
    const script = `const m = await import(${JSON.stringify(join(ROOT, 'dist/src/models/runner.js'))}); process.stdout.write(m.runCacheDir({ lab: 'gan', run: ${JSON.stringify(run)}, seed: ${runSeed} }, 'cpu'));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env() } });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  }

  it('batch says not_ready on an empty cache; with the runs cached, batch, grade and solve answer without training', () => {
    expect(existsSync(CLI)).toBe(true);
    const line = JSON.stringify({ op: 'grade', question: Q, params: { seed: 3 }, answers: { answer: 'A' }, id: 1 });
    const cold = stepwise(['batch'], line, env());
    expect(cold.status).toBe(0);
    expect(JSON.parse(cold.stdout)).toMatchObject({ ok: false, id: 1, error: { code: 'not_ready', message: expect.stringContaining(`question ${Q}, seed 3`) } });

    // Hand-written runs: vanilla covers 3 modes, minibatch all 8, so vanilla is the collapsed run.
    const covered: Record<string, number> = { vanilla: 3, minibatch: 8 };
    for (const run of ['vanilla', 'minibatch']) {
      const dir = builtCacheDir(run);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ lab: 'gan', run, seed: runSeedsFor(loadArtefactQuestions().questions.get(Q)!, 3)[run], backend: 'cpu', config: {}, metrics: { modesCovered: covered[run] }, files: [], seconds: 0, createdAt: '2026-01-01T00:00:00Z' }));
    }
    const letters = (seed: number) => runLetters({ id: Q, runs: [{ name: 'minibatch', run: 'minibatch' }, { name: 'vanilla', run: 'vanilla' }] }, seed);
    const right = letters(3).vanilla;
    const wrong = letters(3).minibatch;

    const warm = stepwise(['batch'], [line.replace('"A"', JSON.stringify(right)), line.replace('"A"', JSON.stringify(wrong))].join('\n'), env());
    const replies = warm.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(replies.map((x) => [x.ok, x.score])).toEqual([
      [true, 1],
      [true, 0],
    ]);

    const graded = stepwise(['grade', Q, '--params', '{"seed":3}', '--answers', JSON.stringify({ answer: right }), '--json'], undefined, env());
    expect(graded.status, graded.stderr).toBe(0);
    expect(JSON.parse(graded.stdout)).toMatchObject({ topic: Q, score: 1, maxScore: 1, steps: [{ status: 'correct' }] });
    expect(graded.stderr).toBe(''); // cached: no training notice

    const solved = stepwise(['solve', Q, '--params', '{"seed":3}', '--json'], undefined, env());
    expect(JSON.parse(solved.stdout)).toEqual({ topic: Q, steps: [{ id: 'answer', label: 'Answer', value: right }] });
  }, 60_000);

  it('questions lists the questions about model runs, with nothing of their runs', () => {
    const r = stepwise(['questions', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { artefacts: Record<string, unknown>[]; problems: unknown[] };
    expect(list.problems).toEqual([]);
    expect(list.artefacts).toContainEqual({ id: Q, lab: 'gan', difficulty: 'medium', title: 'Which run shows mode collapse?' });
    expect(JSON.stringify(list.artefacts)).not.toMatch(/vanilla|modesCovered/);
    expect(stepwise(['questions']).stdout).toMatch(/^gan-mode-collapse +model runs gan · medium · Which run shows mode collapse\?$/m);
  });

  it('generate shows the question for a seed and says where its plots come from', () => {
    const r = stepwise(['generate', Q, '--seed', '3'], undefined, env());
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^gan-mode-collapse · seed 3 · medium\n/);
    expect(r.stdout).toContain('Answer with the run\'s letter (A or B).');
    expect(r.stdout).toContain(`plots: npx stepwise artefacts question ${Q} --seed 3 --out <dir>`);
    expect(r.stdout).not.toMatch(/vanilla/); // a run's key (the prompt itself speaks of minibatch discrimination)
  });

  it('grade with bad params fails with the field named, before training anything', () => {
    const r = stepwise(['grade', Q, '--params', '{"seed":-2}', '--answers', '{"answer":"A"}'], undefined, env());
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/params\.seed must be an integer/);
  });
});
