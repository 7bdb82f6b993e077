/** Shared test helpers: golden-case runner and explicit-tolerance numeric checks. */
import { expect } from 'vitest';
import { gradeAnswers, solveProblem, StepwiseError, type StepStatus } from '../src/engine.js';
import type { Value } from '../src/core/values.js';

/** A hand-worked grading case: what a student wrote and what each step should be judged. */
export interface GoldenCase {
  name: string;
  params: Record<string, unknown>;
  answers: Record<string, unknown>;
  /** Status per step; steps not listed are not checked. */
  expect: Record<string, StepStatus>;
  /** Misconception id per step, where one must be named. */
  misconceptions?: Record<string, string>;
  /** Expected score, when the case is about credit. */
  score?: number;
}

export function runGolden(topic: string, c: GoldenCase): void {
  const result = gradeAnswers(topic, c.params, c.answers);
  const byId = Object.fromEntries(result.steps.map((s) => [s.id, s]));
  for (const [step, status] of Object.entries(c.expect)) {
    expect(byId[step], `step ${step} is graded`).toBeDefined();
    expect(byId[step].status, `${c.name}: status of ${step} (${byId[step].feedback})`).toBe(status);
  }
  for (const [step, id] of Object.entries(c.misconceptions ?? {})) {
    expect(byId[step].misconception?.id, `${c.name}: misconception on ${step}`).toBe(id);
  }
  if (c.score !== undefined) expect(result.score).toBeCloseTo(c.score, 9);
}

/** Every element of `actual` within `tol` of `expected` (absolute), shapes equal. */
export function expectClose(actual: Value, expected: Value, tol: number, what = 'value'): void {
  if (typeof expected === 'string' || typeof actual === 'string') {
    expect(actual, what).toBe(expected);
    return;
  }
  if (typeof expected === 'number') {
    expect(typeof actual, what).toBe('number');
    if (expected === -Infinity) expect(actual, what).toBe(-Infinity);
    else expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
    return;
  }
  expect(Array.isArray(actual), what).toBe(true);
  const a = actual as unknown as Value[];
  expect(a.length, `${what}: length`).toBe(expected.length);
  (expected as unknown as Value[]).forEach((e, i) => expectClose(a[i], e, tol, `${what}[${i}]`));
}

/** The solved value of each step by id. */
export function solved(topic: string, params: unknown): Record<string, Value> {
  return Object.fromEntries(solveProblem(topic, params).steps.map((s) => [s.id, s.value]));
}

/** The StepwiseError `f` throws (fails the test if it throws nothing or something else). */
export function errorOf(f: () => unknown): StepwiseError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(StepwiseError);
    return e as StepwiseError;
  }
  throw new Error('expected a StepwiseError');
}
