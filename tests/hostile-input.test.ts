/**
 * Hostile and careless answers to the engine and `stepwise batch`: the limits apply before any
 * regular expression or parse runs, every per-answer step is bounded by them, and nesting (not
 * length) decides "nested too deeply".
 */
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../src/batch/stream.js';
import { evaluateExpression, MAX_EXPRESSION_LENGTH, MAX_NESTING } from '../src/core/math-expr.js';
import { assertJsonDepth, MAX_JSON_DEPTH } from '../src/core/json-depth.js';
import { gradeAnswers } from '../src/engine.js';
import { answerLimitProblem, MAX_ANSWER_CHARS, MAX_ANSWER_ELEMENTS } from '../src/solvers/read-answer.js';

const kl = { p: [0.5, 0.5], q: [0.25, 0.75] };

/** Milliseconds `f` takes (the best of `runs`, so one scheduling hiccup on a busy box does not count). */
function bestMs(f: () => unknown, runs = 5): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

describe('the answer reader is bounded by the limits before it parses', () => {
  it('refuses a string over the length limit by its length, before any other reading', () => {
    // A plain number of 2,001 digits: the number pattern would accept it (as Infinity) if it ran first.
    expect(() => evaluateExpression('1'.repeat(MAX_EXPRESSION_LENGTH + 1))).toThrow(`longer than ${MAX_EXPRESSION_LENGTH} characters`);
    expect(() => evaluateExpression(' '.repeat(MAX_EXPRESSION_LENGTH) + '1')).toThrow(/longer than 2000 characters/);
    // The linear number pattern reads every form the old one did.
    expect([' 12.5e-1 ', '5.', '.5', '-3', '+2E2'].map(evaluateExpression)).toEqual([1.25, 5, 0.5, -3, 200]);
  });

  it('a 60,000-character answer ending in a letter is rejected at once, with an error naming the limit', () => {
    evaluateExpression('1+1'); // load mathjs outside the timing
    const answer = '1'.repeat(59_999) + 'a';
    const g = gradeAnswers('kl-discrete', kl, { kl: answer });
    const step = g.steps.find((s) => s.id === 'kl')!;
    expect(step.status).toBe('invalid');
    expect(step.feedback).toBe(`Cannot read this answer: the answer is longer than ${MAX_ANSWER_CHARS} characters.`);
    // Was about 1.7 s here (the number pattern backtracked quadratically); now a length check.
    // The bound is generous for a loaded 2-core machine.
    expect(bestMs(() => gradeAnswers('kl-discrete', kl, { kl: answer }))).toBeLessThan(200);
  });

  it('the worst string within the limit is read in linear time', () => {
    // 1,999 digits and a letter: the longest input that reaches the number pattern and mathjs.
    const worst = '1'.repeat(MAX_EXPRESSION_LENGTH - 1) + 'a';
    expect(() => evaluateExpression(worst)).toThrow(/unknown name|cannot read/);
    expect(bestMs(() => { try { evaluateExpression(worst); } catch { /* expected */ } })).toBeLessThan(50);
  });

  it('the characters of one answer are counted over all its strings', () => {
    // 30 elements of 100 characters each: every one is short, the answer is not.
    const element = '0' + '+0'.repeat(49) + '+1'; // 101 characters, value 1
    const g = gradeAnswers('kl-discrete', kl, { log_ratio: Array.from({ length: 30 }, () => element) });
    expect(g.steps[0].status).toBe('invalid');
    expect(g.steps[0].feedback).toMatch(`longer than ${MAX_ANSWER_CHARS} characters`);
  });

  it('answerLimitProblem stops at the first excess, whatever the size', () => {
    const huge = Array.from({ length: 1_000_000 }, () => 'x');
    expect(bestMs(() => answerLimitProblem(huge))).toBeLessThan(20);
    expect(answerLimitProblem(huge)).toEqual({ reason: `more than ${MAX_ANSWER_ELEMENTS} elements`, size: true });
    // Rows count as containers, not elements: a full 32×32 matrix is within the limit.
    expect(answerLimitProblem(Array.from({ length: 32 }, () => Array.from({ length: 32 }, () => 1)))).toBeNull();
    expect(answerLimitProblem([[[1]]])).toEqual({ reason: 'arrays are nested more than two deep', size: false });
    expect(answerLimitProblem({ a: 'x'.repeat(5000) })?.size).toBe(false);
  });
});

describe('nesting, not length, is "nested too deeply"', () => {
  it('a long flat sum is an answer', () => {
    expect(evaluateExpression(Array.from({ length: 70 }, () => '1').join('+'))).toBe(70);
    expect(evaluateExpression(Array.from({ length: 999 }, () => '1').join('+'))).toBe(999);
    expect(evaluateExpression(Array.from({ length: 150 }, () => '0.5').join(' * 2 * '))).toBeCloseTo(0.5, 12);
    const g = gradeAnswers('kl-discrete', kl, { kl: Array.from({ length: 70 }, () => '0.001').join('+') + '+0.0736' });
    // 70 × 0.001 + 0.0736 = 0.1436, the true KL (0.5 ln 2 + 0.5 ln(2/3) = 0.1438) within tolerance.
    expect(g.steps.find((s) => s.id === 'kl')!.status).toBe('correct');
  });

  it(`brackets and calls nest at most ${MAX_NESTING} deep`, () => {
    const nest = (n: number) => '('.repeat(n) + '2' + ')'.repeat(n);
    expect(evaluateExpression(nest(MAX_NESTING))).toBe(2);
    expect(() => evaluateExpression(nest(MAX_NESTING + 1))).toThrow(/nested too deeply/);
    expect(evaluateExpression('sqrt('.repeat(4) + '65536' + ')'.repeat(4))).toBeCloseTo(2, 12);
  });
});

describe('JSON nesting', () => {
  it(`is held to ${MAX_JSON_DEPTH} levels, naming where, without recursion`, () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(() => assertJsonDepth({ answers: { x: deep } }, 'body')).toThrow(expect.objectContaining({ code: 'invalid_request', path: expect.stringMatching(/^body\.answers\.x\[0\]/) }));
    let ok: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) ok = [ok];
    expect(() => assertJsonDepth(ok, 'body')).not.toThrow();
    expect(() => assertJsonDepth([ok], 'body')).toThrow(/nested more than 32 levels/);
  });
});

describe('stepwise batch under hostile lines', () => {
  async function batch(text: string): Promise<Record<string, any>[]> {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        out += chunk.toString('utf8');
        cb();
      },
    });
    await runBatch(Readable.from([text]), sink);
    return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }

  it('a 60,000-character answer is read at once as invalid, naming the limit, and the batch goes on', async () => {
    const line = JSON.stringify({ op: 'grade', topic: 'kl-discrete', params: kl, answers: { kl: '1'.repeat(59_999) + 'a' }, id: 1 });
    const t = performance.now();
    const replies = await batch(Array.from({ length: 5 }, () => line).join('\n') + '\n{"op":"fly","id":2}\n');
    expect(performance.now() - t).toBeLessThan(2_000); // was about 8 s (1.7 s a line); a few ms now, the bound is for a loaded machine
    expect(replies).toHaveLength(6);
    expect(replies[0].steps.find((s: { id: string }) => s.id === 'kl')).toMatchObject({ status: 'invalid', feedback: expect.stringMatching(/longer than 2000 characters/) });
    expect(replies[5]).toMatchObject({ ok: false, id: 2, error: { code: 'invalid_request' } });
  });

  it('a deeply nested line gets an error reply, not a crash', async () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    const replies = await batch(`{"op":"solve","id":${deep}}\n{"op":"grade","topic":"kl-discrete","params":${JSON.stringify(kl)},"answers":{"zz":${deep}},"id":2}\n{"op":"fly","id":3}\n`);
    expect(replies).toHaveLength(3);
    expect(replies[0]).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(/nested more than 32 levels/) } });
    expect(replies[1]).toMatchObject({ ok: false, error: { code: 'invalid_request', path: expect.stringMatching(/^request\.answers\.zz/) } });
    expect(replies[2]).toMatchObject({ ok: false, id: 3 });
  });
});
