/**
 * Bank questions that promise a shape of problem ("under a causal mask", "from a log-variance",
 * "two positions") declare it as `shape`, and every seed keeps to it. The phrases and the checks
 * below are written from the questions' wording and the topic contract, not from the generators.
 */
import { describe, expect, it } from 'vitest';
import { builtInBank, parseQuestion, type Question } from '../src/bank/bank.js';
import { generateProblem } from '../src/engine.js';

/** A phrase in a question's id, title or instructions, and the shape option it promises. */
const PROMISES: { phrase: RegExp; option: string; value: unknown }[] = [
  { phrase: /causal mask/i, option: 'causal', value: true },
  { phrase: /log-variance/i, option: 'given', value: 'logvar' },
  { phrase: /given σ/i, option: 'given', value: 'sigma' },
  { phrase: /two positions/i, option: 'positions', value: 2 },
  { phrase: /token embeddings/i, option: 'embeddings', value: true },
  { phrase: /four or five outcomes/i, option: 'outcomes', value: [4, 5] },
  { phrase: /\bbits\b/i, option: 'base', value: '2' },
  { phrase: /pooling layer/i, option: 'pool', value: true },
];

type P = Record<string, unknown>;
const allowed = (v: unknown, x: unknown): boolean => (Array.isArray(v) ? v.includes(x) : v === x);

/** Whether generated params keep to one shape option, read off the params as the contract names them. */
const CHECKS: Record<string, (p: P, value: unknown) => boolean> = {
  causal: (p, v) => (p.causal === true) === v,
  given: (p, v) => (v === 'logvar' ? Array.isArray(p.logvar) && p.sigma === undefined : Array.isArray(p.sigma) && p.logvar === undefined),
  positions: (p, v) => allowed(v, (p.positions as number[]).length),
  embeddings: (p, v) => Array.isArray(p.embeddings) === v,
  outcomes: (p, v) => allowed(v, (p.p as number[]).length) && (p.q as number[]).length === (p.p as number[]).length,
  base: (p, v) => allowed(v, p.base ?? 'e'),
  pool: (p, v) => (p.pool_kernel !== undefined && p.pool_stride !== undefined) === v,
};

const questions = [...builtInBank().questions.values()];
const text = (q: Question) => [q.id, q.title ?? '', q.instructions ?? ''].join('\n');

describe('bank question shapes', () => {
  it('the bank loads without problems', () => {
    expect(builtInBank().problems).toEqual([]);
  });

  it('every promise in a question’s wording is declared as its shape', () => {
    let found = 0;
    for (const q of questions) {
      for (const { phrase, option, value } of PROMISES) {
        if (!phrase.test(text(q))) continue;
        found++;
        // A pinned question keeps its promise in its fixed params; others declare it as their shape.
        if (q.params) expect(CHECKS[option](q.params as P, value), `${q.id} says ${phrase}`).toBe(true);
        else expect(q.shape?.[option], `${q.id} says ${phrase}`).toEqual(value);
      }
    }
    expect(found).toBeGreaterThanOrEqual(8);
  });

  /** What a question promises: its declared shape, and what its wording promises. */
  const promised = (q: Question): [string, unknown][] => [
    ...Object.entries(q.shape ?? {}),
    ...PROMISES.filter((x) => x.phrase.test(text(q))).map((x): [string, unknown] => [x.option, x.value]),
  ];

  for (const q of questions.filter((x) => promised(x).length > 0)) {
    it(`${q.id}: 300 seeds all keep to what it promises`, () => {
      const promises = promised(q);
      for (const [option] of promises) expect(CHECKS[option], `a check for shape option ${option}`).toBeDefined();
      for (let seed = 0; seed < 300; seed++) {
        const problem = generateProblem(q.id, seed);
        for (const [option, value] of promises) {
          expect(CHECKS[option](problem.params as P, value), `seed ${seed}: ${option} in ${JSON.stringify(problem.params)}`).toBe(true);
        }
        if (promises.some(([o, v]) => o === 'causal' && v === true)) expect(problem.prompt, `seed ${seed}`).toMatch(/causal mask/);
        if (promises.some(([o, v]) => o === 'base' && v === '2')) expect(problem.prompt, `seed ${seed}`).toMatch(/\*\*bits\*\*/);
      }
    });
  }

  it('a shape the topic cannot honour is refused, naming the field', () => {
    const base = { id: 'x', topic: 'self-attention', difficulty: 'hard', steps: ['weights'] };
    const parse = (extra: object) => () => parseQuestion(JSON.stringify({ ...base, ...extra }));
    expect(parse({ shape: { causal: true } })).not.toThrow();
    expect(parse({ shape: { causal: 'yes' } })).toThrow(/shape\.causal must be boolean/);
    expect(parse({ shape: { masked: true } })).toThrow(/unknown field "masked".*shape options: causal|masked.*causal/);
    expect(parse({ topic: 'diffusion-step', steps: ['x_t'], shape: { causal: true } })).toThrow(/diffusion-step has no shape options/);
    expect(() => parseQuestion(JSON.stringify({ id: 'y', topic: 'kl-discrete', difficulty: 'easy', steps: ['kl'], shape: { outcomes: [1] } }))).toThrow(
      /shape\.outcomes/,
    );
  });

  it('a question that already kept to its shape gets the same problems as before shapes were declared', () => {
    // kl-gaussian-vae is hard, where the generator always gives the log-variance: declaring it must
    // not move the random stream, so exams set from it keep their problems.
    for (const seed of [0, 1, 2, 3, 4]) {
      const fromQuestion = generateProblem('kl-gaussian-vae', seed);
      expect(fromQuestion.params).toEqual(generateProblem('kl-gaussian', seed, 'hard').params);
    }
  });
});
