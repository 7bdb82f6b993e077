/** The practice drill, driven through its IO interface with a scripted student. */
import { describe, expect, it } from 'vitest';
import { runPractice, type PracticeIO } from '../src/cli/practice.js';
import { generateProblem, solveProblem } from '../src/engine.js';

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

/** The true answer to a step of the self-attention problem with this seed, as a JSON string. */
function truth(seed: number, difficulty: 'easy' | 'medium', step: string): string {
  const p = generateProblem('self-attention', seed, difficulty).params;
  return JSON.stringify(solveProblem('self-attention', p).steps.find((s) => s.id === step)!.value);
}

describe('practice drill', () => {
  it('gives per-step feedback as the student goes, then the worked solution and a summary', async () => {
    const s = scripted([
      truth(1, 'easy', 'Q'),
      '[[99, 99], [99, 99]]',
      ':hint',
      truth(1, 'easy', 'V'),
      '',
    ]);
    const summary = await runPractice(s.io, { topics: ['self-attention'], difficulty: 'easy' });
    const out = s.text();
    expect(s.asked[0]).toBe('Queries Q [Q]');
    expect(out).toMatch(/✔ correct — Correct\./);
    expect(out).toMatch(/✘ not right — Not correct/);
    expect(out).toMatch(/· Scores QKᵀ \(scores\) — missing/);
    expect(out).toMatch(/V = X W_V|V = XW_V/); // the hint is the step's formula
    expect(out).toMatch(/Worked solution:/);
    expect(out).toMatch(/Session: 1 problem, 2 \/ 8/);
    expect(summary).toMatchObject({ problems: 1, score: 2, maxScore: 8 });
  });

  it('names a misconception and carries an error forward from the student’s own value', async () => {
    const seed = 1;
    const scores = JSON.parse(truth(seed, 'medium', 'scores')) as number[][];
    const dk = generateProblem('self-attention', seed, 'medium').params as { W_Q: number[][] };
    const divided = scores.map((r) => r.map((x) => x / dk.W_Q[0].length));
    const s = scripted(['', '', '', JSON.stringify(scores), JSON.stringify(divided), ':quit'], { seeds: [seed] });
    const summary = await runPractice(s.io, { topics: ['self-attention'], difficulty: 'medium' });
    expect(s.text()).toMatch(/You divided by d_k, not √d_k/);
    expect(summary.misconceptions).toEqual({ 'divided-by-dk': 1 });
  });

  it('repeats with fresh variants until the student stops, cycling through topics', async () => {
    const s = scripted(Array(30).fill(''), { again: [true, true, false], seeds: [5, 6, 7] });
    const summary = await runPractice(s.io, { topics: ['self-attention'], difficulty: 'easy' });
    expect(summary.problems).toBe(3);
    expect(s.text().match(/seed [567] ━━/g)).toHaveLength(3);
  });

  it('refuses an unknown topic before starting', async () => {
    const s = scripted([]);
    await expect(runPractice(s.io, { topics: ['nope'] })).rejects.toThrow(/unknown topic "nope"/);
  });
});
