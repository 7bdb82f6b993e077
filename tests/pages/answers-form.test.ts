/** The question form's fields read back into answers, with the grader's own reader. */
import { describe, expect, it } from 'vitest';
import { generateProblem } from '../../src/engine.js';
import { answersOf, fieldsOf, readEntry, readForm, stepShapes } from '../../src/pages/answers-form.js';

const variant = (ref: string, seed: number) => ({ id: `test-${ref}-${seed}`, ...generateProblem(ref, seed) });

describe('readForm', () => {
  const v = variant('self-attention', 1);
  const shapes = stepShapes(v);
  const q = shapes.find((s) => s.id === 'Q')!;

  it('sizes each grid from the step’s shape (Q = X W_Q: rows of X × columns of W_Q)', () => {
    const p = v.params as { X: number[][]; W_Q: number[][] };
    expect([q.rows, q.cols]).toEqual([p.X.length, p.W_Q[0].length]);
    expect(q.kind).toBe('matrix');
  });

  it('reads a full grid of math strings into the nested array the API takes', () => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < q.rows; i++) for (let j = 0; j < q.cols; j++) fields[`answers[Q][${i}][${j}]`] = `${i}+${j}/2`;
    const e = readForm(fields, shapes).get('Q')!;
    expect(e.problem).toBeUndefined();
    expect((e.raw as string[][])[1][1]).toBe('1+1/2');
    const read = readEntry(q, e.raw);
    expect(read.ok && (read.value as number[][])[1][1]).toBeCloseTo(1.5, 12);
    expect(Object.keys(answersOf(readForm(fields, shapes)))).toEqual(['Q']);
  });

  it('names the first empty cell of a partly filled grid, and a blank grid is no answer', () => {
    const e = readForm({ 'answers[Q][0][0]': '1' }, shapes).get('Q')!;
    expect(e.problem).toBe('row 1, column 2 is empty: fill every cell, or clear them all to leave the step blank');
    expect(readForm({}, shapes).get('Q')!.raw).toBeUndefined();
    expect(answersOf(readForm({ 'answers[Q][0][0]': '1' }, shapes))).toEqual({});
  });

  it('prefers the text box ("type as text") over the grid, and reports the reader’s reason', () => {
    const e = readForm({ 'answers[Q]': '[[1, 2], [3, 4]]', 'answers[Q][0][0]': '9' }, shapes).get('Q')!;
    expect(e.raw).toBe('[[1, 2], [3, 4]]');
    expect(e.problem).toMatch(/expected a 3×2 matrix, got a 2×2 matrix/);
  });

  it('turns stored answers back into the same fields', () => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < q.rows; i++) for (let j = 0; j < q.cols; j++) fields[`answers[Q][${i}][${j}]`] = String(i * 10 + j);
    const again = fieldsOf(answersOf(readForm(fields, shapes)), shapes);
    expect(again).toEqual(fields);
  });

  it('vectors are one row named answers[<step>][j]', () => {
    const kl = variant('kl-discrete', 3);
    const s = stepShapes(kl).find((x) => x.kind === 'vector')!;
    expect(s.rows).toBe(1);
    const fields = Object.fromEntries(Array.from({ length: s.cols }, (_x, j) => [`answers[${s.id}][${j}]`, '0.5']));
    expect(readForm(fields, stepShapes(kl)).get(s.id)!.raw).toEqual(Array(s.cols).fill('0.5'));
  });
});
