/**
 * Evaluates a topic's step graph in double precision, in declaration order (a topological order,
 * checked at registration). Every value is checked on the way out: a non-finite number is an error
 * naming the step, never a silent NaN or Infinity. Masked entries (−∞) are allowed only in steps
 * declared maskable.
 */
import { StepwiseError } from '../core/errors.js';
import type { Value } from '../core/values.js';
import { assumptionWarning, paramsAssumptions, validateParams } from './params.js';
import type { AnyStep, Params, StepValues, Topic } from './topic.js';

export interface SolvedStep {
  id: string;
  label: string;
  value: Value;
}

export interface Solution {
  topic: string;
  steps: SolvedStep[];
  /** What was assumed to accept loose params (as in GradeResult.warnings); absent when nothing was. */
  warnings?: string[];
}

const orders = new WeakMap<Topic, [string, AnyStep][]>();

/** Every declared step, in declaration order (cached: this is the grading hot path). */
export function stepOrder(topic: Topic): [string, AnyStep][] {
  let order = orders.get(topic);
  if (!order) {
    order = Object.entries(topic.steps);
    orders.set(topic, order);
  }
  return order;
}

/** The steps that apply to these params, in order. */
export function activeSteps(topic: Topic, p: Params): [string, AnyStep][] {
  return stepOrder(topic).filter(([, step]) => !step.when || step.when(p));
}

/** Step values for already-validated params. */
export function evaluateSteps(topic: Topic, p: Params): StepValues {
  const values: StepValues = {};
  for (const [id, step] of stepOrder(topic)) {
    if (step.when && !step.when(p)) continue;
    const v = step.compute(p, values);
    const bad = nonFinite(v, step.maskable === true);
    if (bad) {
      throw new StepwiseError(
        'numeric_overflow',
        `step ${id} of ${topic.id} is ${bad}: the parameters are too large or too extreme for double precision`,
      );
    }
    values[id] = v;
  }
  return values;
}

export function solve(topic: Topic, rawParams: unknown): Solution {
  const p = validateParams(topic, rawParams);
  const values = evaluateSteps(topic, p);
  const solution: Solution = {
    topic: topic.id,
    steps: activeSteps(topic, p).map(([id, step]) => ({ id, label: step.label, value: values[id] })),
  };
  const warnings = paramsAssumptions(topic, p).map(assumptionWarning);
  if (warnings.length > 0) solution.warnings = warnings;
  return solution;
}

/** "NaN" / "infinite" when the value holds such a number (−∞ allowed when maskable), else null. */
export function nonFinite(v: Value, maskable: boolean): string | null {
  if (typeof v === 'string') return null;
  if (typeof v === 'number') return checkNumber(v, maskable);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) {
        const bad = checkNumber(x, maskable);
        if (bad) return bad;
      }
    } else {
      for (let j = 0; j < x.length; j++) {
        if (!Number.isFinite(x[j])) {
          const bad = checkNumber(x[j], maskable);
          if (bad) return bad;
        }
      }
    }
  }
  return null;
}

function checkNumber(x: number, maskable: boolean): string | null {
  if (Number.isFinite(x)) return null;
  if (x === -Infinity && maskable) return null;
  return Number.isNaN(x) ? 'NaN' : 'infinite';
}
