/** The practice drill, driven through its IO interface with a scripted student, and through the real prompts. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runPractice, terminalIO, type PracticeIO } from '../src/cli/practice.js';
import { generateProblem, solveProblem } from '../src/engine.js';
import { stepwise } from './cli-helpers.js';

function scripted(answers: (string | ((label: string) => string))[], opts: { again?: boolean[]; seeds?: number[] } = {}) {
  const printed: string[] = [];
  const asked: string[] = [];
  const again = [...(opts.again ?? [])];
  const seeds = [...(opts.seeds ?? [1, 2, 3, 4])];
  const queue = [...answers];
  const io: PracticeIO = {
    print: (t) => printed.push(t),
    choose: async (_m, choices) => choices[0].value,
    chooseMany: async () => ['self-attention'],
    ask: async (label) => {
      asked.push(label);
      const next = queue.shift() ?? ':quit';
      return typeof next === 'function' ? next(label) : next;
    },
    confirm: async () => again.shift() ?? false,
    seed: () => seeds.shift() ?? 0,
  };
  return { io, printed, asked, text: () => printed.join('\n') };
}

type Grid = number[][];

/** The true value of a self-attention step for this seed. */
function truthValue(seed: number, difficulty: 'easy' | 'medium' | 'hard', step: string, topic = 'self-attention'): unknown {
  const p = generateProblem(topic, seed, difficulty).params;
  return solveProblem(topic, p).steps.find((s) => s.id === step)!.value;
}
const truth = (seed: number, difficulty: 'easy' | 'medium', step: string): string => JSON.stringify(truthValue(seed, difficulty, step));
const transpose = (m: Grid): Grid => m[0].map((_, j) => m.map((r) => r[j]));
/** The matrix as formatted in the hint: [[a, b], [c, d]]. */
const listed = (m: Grid): string => `[${m.map((r) => `[${r.join(', ')}]`).join(', ')}]`;

describe('practice drill', () => {
  it('gives per-step feedback as the student goes, then the worked solution and a summary', async () => {
    const s = scripted([truth(1, 'easy', 'Q'), '[[99, 99], [99, 99]]', ':hint', truth(1, 'easy', 'V'), '', '', '', '', '']);
    const summary = await runPractice(s.io, { topics: ['self-attention'], difficulty: 'easy' });
    const out = s.text();
    expect(s.asked[0]).toBe('Queries Q [Q]');
    expect(out).toMatch(/✔ correct — Correct\./);
    expect(out).toMatch(/✘ not right — Not correct/);
    expect(out).toMatch(/· Scores QKᵀ \(scores\) — missing/);
    expect(out).toMatch(/V = X W_V|V = XW_V/); // the hint starts with the step's formula
    expect(out).toMatch(/Worked solution:/);
    expect(out).toMatch(/Session: 1 problem, 2 \/ 8/);
    expect(summary).toMatchObject({ problems: 1, score: 2, maxScore: 8 });
  });

  it('asks an unreadable answer again with the reason, and keeps the step', async () => {
    const s = scripted([
      '[[1, 2]]', // 1×2 for a 2×2 matrix
      'sqrt(',
      truth(1, 'easy', 'Q'),
      ...Array(7).fill(''),
    ]);
    const summary = await runPractice(s.io, { topics: ['self-attention'], difficulty: 'easy' });
    const out = s.text();
    expect(s.asked.slice(0, 4)).toEqual(['Queries Q [Q]', 'Queries Q [Q]', 'Queries Q [Q]', 'Keys K [K]']);
    expect(out).toMatch(/↺ Cannot read this answer: expected a 2×2 matrix, got a 1×2 matrix\. Try again/);
    expect(out).toMatch(/↺ Cannot read this answer: .*\. Try again/);
    expect(out).not.toMatch(/\? unreadable/);
    expect(summary.score).toBe(1); // Q was graded from the third try
  });

  it('says so when a matrix is entered transposed', async () => {
    const q = truthValue(1, 'medium', 'Q') as Grid;
    const [rows, cols] = [q.length, q[0].length];
    expect(rows).not.toBe(cols);
    const s = scripted([JSON.stringify(transpose(q)), JSON.stringify(q), ':quit'], { seeds: [1] });
    await runPractice(s.io, { topics: ['self-attention'], difficulty: 'medium' });
    expect(s.text()).toContain(`You entered a ${cols}×${rows} matrix; Q is ${rows}×${cols} — transposed?`);
    expect(s.text()).toMatch(/✔ correct/);
  });

  it('a hint names the given values the step uses, and the earlier answers it builds on', async () => {
    const p = generateProblem('self-attention', 1, 'easy').params as { X: Grid; W_Q: Grid };
    const s = scripted([':hint', '[[1, 0], [0, 1]]', '', '', ':hint', ':quit']);
    await runPractice(s.io, { topics: ['self-attention'], difficulty: 'easy' });
    const out = s.text();
    expect(out).toContain(`uses the given X = ${listed(p.X)}, W_Q = ${listed(p.W_Q)}`);
    const k = truthValue(1, 'easy', 'K') as Grid;
    expect(out).toContain(`and the earlier steps Q = [[1, 0], [0, 1]] (your answer), K = ${listed(k)} (not answered: the true value)`);
  });

  it('a hint on a question calls an earlier step it does not ask "not asked", not "not answered"', async () => {
    // self-attention-residual asks scores onwards: Q and K are worked on paper, never asked.
    const s = scripted([':hint', ':quit'], { seeds: [1] });
    await runPractice(s.io, { questions: ['self-attention-residual'] });
    expect(s.text()).toMatch(/and the earlier steps Q = \[\[[^\n]*\]\] \(not asked: the true value\), K = \[\[[^\n]*\]\] \(not asked: the true value\)/);
    expect(s.text()).not.toContain('not answered');
  });

  it('a hint shows flags and class names as given (a causal mask, the classes)', async () => {
    const s = scripted([':hint', '', ':hint', ':quit'], { seeds: [3] });
    await runPractice(s.io, { questions: ['self-attention-causal-weights'] });
    expect(s.text()).toMatch(/uses the given [^\n]*causal = true/);
    const b = scripted([':hint', '', ':hint', ':quit'], { seeds: [3] });
    await runPractice(b.io, { questions: ['bayes-classification-map-decision'] });
    const p = generateProblem('bayes-classification-map-decision', 3).params as { classes: string[] };
    expect(b.text()).toContain(`classes = ${JSON.stringify(p.classes)}`);
  });

  it('names a misconception, carries an error forward, and explains the misconception in the summary', async () => {
    const seed = 1;
    const scores = JSON.parse(truth(seed, 'medium', 'scores')) as Grid;
    const dk = generateProblem('self-attention', seed, 'medium').params as { W_Q: Grid };
    const divided = scores.map((r) => r.map((x) => x / dk.W_Q[0].length));
    const s = scripted(['', '', '', JSON.stringify(scores), JSON.stringify(divided), '', '', ''], { seeds: [seed] });
    const summary = await runPractice(s.io, { topics: ['self-attention'], difficulty: 'medium' });
    expect(s.text()).toMatch(/You divided by d_k, not √d_k/);
    expect(summary.misconceptions).toEqual({ 'divided-by-dk': 1 });
    const tail = s.printed.at(-1)!;
    expect(tail).toMatch(/misconceptions to review:\n {4}divided-by-dk: You divided by d_k, not √d_k\./);
  });

  it(':quit mid-problem does not count the unfinished problem', async () => {
    const s = scripted([truth(1, 'easy', 'Q'), ':quit'], { again: [true], seeds: [1] });
    const summary = await runPractice(s.io, { topics: ['self-attention'], difficulty: 'easy' });
    expect(summary).toMatchObject({ problems: 0, score: 0, maxScore: 0 });
    expect(s.text()).toMatch(/Stopped mid-problem: it is not counted\.\nNo problems finished\./);
    expect(s.text()).not.toMatch(/Worked solution/);

    // A finished problem still counts when the next one is left unfinished.
    const t = scripted([...Array(8).fill(''), truth(2, 'easy', 'Q'), ':quit'], { again: [true], seeds: [1, 2] });
    const two = await runPractice(t.io, { topics: ['self-attention'], difficulty: 'easy' });
    expect(two).toMatchObject({ problems: 1, score: 0, maxScore: 8 });
  });

  it('drills bank questions: their steps, marks and promised shape', async () => {
    const s = scripted(['', ''], { seeds: [3] });
    const summary = await runPractice(s.io, { questions: ['self-attention-causal-weights'] });
    expect(s.asked).toEqual(['Scaled scores QKᵀ/√d_k [scaled_scores]', 'Attention weights (row softmax) [weights]']);
    expect(s.text()).toMatch(/━━ Attention weights under a causal mask · hard · seed 3 ━━/);
    expect(s.text()).toMatch(/causal mask/);
    expect(summary).toMatchObject({ problems: 1, maxScore: 4 }); // marks 2 + 2
    expect(summary.byTopic).toHaveProperty('self-attention-causal-weights');
  });

  it('says when --difficulty does not apply to a question (it brings its own)', async () => {
    const s = scripted([':quit'], { seeds: [3] });
    await runPractice(s.io, { questions: ['kl-gaussian-vae'], difficulty: 'easy' });
    expect(s.text()).toContain('--difficulty easy applies to topics only; a bank question brings its own: kl-gaussian-vae is hard.');
    const t = scripted([':quit'], { seeds: [3] });
    await runPractice(t.io, { questions: ['kl-gaussian-vae'] });
    expect(t.text()).not.toContain('applies to topics only');
  });

  it('mixes topics and questions, cycling through them', async () => {
    const s = scripted(Array(40).fill(''), { again: [true, true, false], seeds: [5, 6, 7] });
    const summary = await runPractice(s.io, { topics: ['diffusion-step'], questions: ['kl-gaussian-vae', 'vae-sampling-basic'], difficulty: 'easy' });
    expect(summary.problems).toBe(3);
    expect(Object.keys(summary.byTopic)).toEqual(['diffusion-step', 'kl-gaussian-vae', 'vae-sampling-basic']);
  });

  it('repeats with fresh variants until the student stops, cycling through topics', async () => {
    const s = scripted(Array(30).fill(''), { again: [true, true, false], seeds: [5, 6, 7] });
    const summary = await runPractice(s.io, { topics: ['self-attention'], difficulty: 'easy' });
    expect(summary.problems).toBe(3);
    expect(s.text().match(/seed [567] ━━/g)).toHaveLength(3);
  });

  it('refuses an unknown topic or question before starting', async () => {
    const s = scripted([]);
    await expect(runPractice(s.io, { topics: ['nope'] })).rejects.toThrow(/unknown topic "nope"/);
    await expect(runPractice(s.io, { questions: ['nope'] })).rejects.toThrow(/unknown question "nope"/);
  });
});

/** The real @inquirer prompts, typed into through streams; what a student's terminal shows. */
describe('practice drill on the real prompts', () => {
  const strip = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

  async function drive(lines: string[]) {
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = '';
    output.on('data', (d: Buffer) => (screen += d.toString()));
    const io = { ...terminalIO({ input, output }), seed: () => 1 };
    const done = runPractice(io, { topics: ['self-attention'], difficulty: 'easy' });
    for (let i = 0; i < lines.length; i++) {
      // Type once the previous answer is in (i answered prompts) and the next prompt is showing.
      for (let waited = 0; ; waited += 10) {
        const s = strip(screen);
        if ((s.match(/› /g) ?? []).length === i && /\? [^\n]*\[\w+\]\s*$/.test(s)) break;
        if (waited > 5000) throw new Error(`no prompt for line ${i}:\n${s}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      input.write(`${lines[i]}\r`);
    }
    const summary = await done;
    return { summary, screen: strip(screen) };
  }

  it('marks an answered prompt neutrally: a tick appears only once the step is judged', async () => {
    const wrong = '[[9, 9], [9, 9]]';
    const { summary, screen } = await drive([wrong, '[[1]]', truth(1, 'easy', 'K'), ':quit']);
    const answered = screen.split('\n').filter((l) => l.includes('Queries Q [Q]') || l.includes('Keys K [K]'));
    expect(answered.length).toBeGreaterThan(0);
    for (const l of answered) expect(l, l).not.toContain('✔');
    expect(screen).toMatch(/› Queries Q \[Q\] \[\[9, 9\], \[9, 9\]\]\n {2}✘ not right/);
    expect(screen).toMatch(/› Keys K \[K\] \[\[1\]\]\n {2}↺ Cannot read this answer/);
    expect(screen).toMatch(/› Keys K \[K\] \[\[.*\]\]\n {2}✔ correct — Correct\./);
    expect(screen).toMatch(/Stopped mid-problem: it is not counted\./);
    expect(summary.problems).toBe(0);
  });
});

describe('stepwise practice (command line)', () => {
  it('refuses unknown question ids before the drill starts', () => {
    const r = stepwise(['practice', '--question', 'kl-gaussian-vae,nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown question "nope"/);
  });
});

describe('practice drill with a conceptual question', () => {
  it('shows lettered options, reads a letter list, grades right-minus-wrong and says there is no hint', async () => {
    const id = 'example-bert-masking-rule';
    const p = generateProblem(id, 1);
    const options = (p.params as { options: string[] }).options;
    const L = (o: string) => String.fromCharCode(65 + options.indexOf(o));
    // Two right options and the wrong one: 1 × max(0, 2/3 − 1) = 0; then all three right: 1.
    const s = scripted([':hint', `${L('mask')}, ${L('random')}, ${L('drop')}`, `${L('mask')} ${L('random')} ${L('keep')}`], { seeds: [1, 1], again: [true, false] });
    const summary = await runPractice(s.io, { questions: [id] });
    const out = s.text();
    expect(out).toMatch(/- \*\*A\.\*\* |A\. /);
    expect(out).toContain('No hint for this question');
    expect(out).toContain('Deletion is not part of BERT');
    expect(summary).toMatchObject({ problems: 2, score: 1, maxScore: 2 });
  });
});
