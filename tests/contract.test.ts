/**
 * One suite over every registered topic (a new topic is tested the moment it is registered):
 * contract ids, determinism and variety of generation, full marks for the solution's own values,
 * and error carried forward — each step pushed past tolerance is `incorrect` and every step built
 * on it is `carried` (or `correct` where the chain lands back within tolerance of the truth).
 */
import { describe, expect, it } from 'vitest';
import { generateProblem, gradeAnswers, solveProblem, workedSolution } from '../src/engine.js';
import { DEFAULT_TOLERANCE, withinTolerance, type Tolerance } from '../src/core/tolerance.js';
import type { Value } from '../src/core/values.js';
import { evaluateSteps } from '../src/solvers/solve.js';
import { DIFFICULTIES, type Params, type StepValues, type Topic } from '../src/solvers/topic.js';
import { validateParams } from '../src/solvers/params.js';
import { TOPICS } from '../src/topics/index.js';
import { CONTRACT, CONTRACT_DEPS } from './contract-ids.js';

const SEEDS = Array.from({ length: 100 }, (_, i) => i);

/** Moves every element past the default tolerance, differently per element (so softmax notices). */
function push(v: Value, labels: readonly string[]): Value {
  if (typeof v === 'string') return labels.find((l) => l !== v) as string;
  let k = 0;
  const f = (x: number): number => {
    const j = k++ % 5;
    if (x === -Infinity) return x;
    return Math.abs(x) < 0.1 ? x + 0.05 + 0.01 * j : x * (0.7 - 0.04 * j);
  };
  if (typeof v === 'number') return f(v);
  return (v as unknown[]).map((x) => (Array.isArray(x) ? x.map(f) : f(x as number))) as Value;
}

/** The values a student gets who computes everything right from a wrong value of `stepId`. */
function chainFrom(topic: Topic, p: Params, truth: StepValues, stepId: string, wrong: Value): { values: StepValues; downstream: Set<string> } {
  const values: StepValues = {};
  const downstream = new Set<string>();
  for (const [id, step] of Object.entries(topic.steps)) {
    if (!(id in truth)) continue;
    if (id === stepId) values[id] = wrong;
    else if (step.deps.some((d) => d === stepId || downstream.has(d))) {
      downstream.add(id);
      values[id] = step.compute(p, values);
    } else values[id] = truth[id];
  }
  return { values, downstream };
}

/** Within the step's own tolerance (integer counts are exact), else the contract's default. */
function close(a: Value, b: Value, tol: Tolerance = DEFAULT_TOLERANCE): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const fa = [a].flat(2) as number[];
  const fb = [b].flat(2) as number[];
  return fa.length === fb.length && fa.every((x, i) => withinTolerance(x, fb[i], tol));
}

/** JSON round trip: what a caller would send (−∞ becomes null). */
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

it('registers every contract topic', () => {
  expect(TOPICS.map((t) => t.id).sort()).toEqual(Object.keys(CONTRACT).sort());
});

for (const topic of TOPICS) {
  describe(`contract: ${topic.id}`, () => {
    const contract = CONTRACT[topic.id];

    it('declares the contract parameters and every contract step with at least its deps', () => {
      const props = Object.keys((topic.paramsSchema as { properties: object }).properties);
      for (const name of contract.params) expect(props, `param ${name}`).toContain(name);
      for (const id of contract.steps) {
        expect(topic.steps[id], `step ${id}`).toBeDefined();
        for (const dep of CONTRACT_DEPS[topic.id][id]) expect(topic.steps[id].deps).toContain(dep);
      }
      expect(topic.misconceptions.length).toBeGreaterThanOrEqual(3);
    });

    for (const difficulty of DIFFICULTIES) {
      it(`${difficulty}: seeds 0–99 solve with every contract step, grade full marks, and carry errors forward`, () => {
        for (const seed of SEEDS) {
          const problem = generateProblem(topic.id, seed, difficulty);
          const p = asJson(problem.params) as Params;
          expect(() => validateParams(topic, p)).not.toThrow();
          const sol = solveProblem(topic.id, p);
          const ids = sol.steps.map((s) => s.id);
          for (const id of contract.steps) {
            if (topic.steps[id].when && !topic.steps[id].when!(p)) continue;
            expect(ids, `seed ${seed}`).toContain(id);
          }
          const truth = Object.fromEntries(sol.steps.map((s) => [s.id, s.value])) as StepValues;

          const full = gradeAnswers(topic.id, p, asJson(truth));
          expect(full.score, `seed ${seed}: full marks`).toBe(full.maxScore);
          expect(full.steps.every((s) => s.status === 'correct')).toBe(true);

          const labels = topic.labels?.(p) ?? [];
          for (const stepId of ids) {
            const wrong = push(truth[stepId], labels);
            const { values, downstream } = chainFrom(topic, p, truth, stepId, wrong);
            const g = gradeAnswers(topic.id, p, asJson(values));
            const byId = Object.fromEntries(g.steps.map((s) => [s.id, s]));
            const where = `seed ${seed}, ${stepId} pushed`;
            expect(byId[stepId].status, `${where}: ${byId[stepId].feedback}`).toBe('incorrect');
            for (const d of downstream) {
              // Correct when the chain lands back within tolerance, or when every dep did (the
              // drift is then rounding); carried otherwise.
              const tolOf = (id: string) => topic.steps[id].tolerance ?? DEFAULT_TOLERANCE;
              const accurate = (id: string) => id !== stepId && close(values[id], truth[id], tolOf(id));
              const want = close(values[d], truth[d], tolOf(d)) || topic.steps[d].deps.every(accurate) ? 'correct' : 'carried';
              expect(byId[d].status, `${where}: ${d} (${byId[d].feedback})`).toBe(want);
            }
            for (const id of ids) if (id !== stepId && !downstream.has(id)) expect(byId[id].status, `${where}: ${id}`).toBe('correct');
          }
        }
      });
    }

    it('is deterministic per seed and gives ≥ 95% distinct problems over 300 seeds', () => {
      for (const difficulty of DIFFICULTIES) {
        expect(generateProblem(topic.id, 12345, difficulty)).toEqual(generateProblem(topic.id, 12345, difficulty));
        const seen = new Set<string>();
        for (let seed = 1000; seed < 1300; seed++) seen.add(JSON.stringify(generateProblem(topic.id, seed, difficulty).params));
        expect(seen.size / 300, difficulty).toBeGreaterThanOrEqual(0.95);
      }
    });

    it('computes each step from the params and its declared deps only', () => {
      for (const difficulty of DIFFICULTIES) {
        const p = generateProblem(topic.id, 7, difficulty).params;
        const truth = evaluateSteps(topic, p);
        for (const [id, step] of Object.entries(topic.steps)) {
          if (!(id in truth)) continue;
          const guarded = new Proxy(truth, {
            get(target, key) {
              if (typeof key === 'string' && !step.deps.includes(key)) throw new Error(`step ${id} reads ${key}, not in its deps`);
              return Reflect.get(target, key);
            },
          });
          expect(() => step.compute(p, guarded)).not.toThrow();
        }
        for (const m of topic.misconceptions) {
          if (m.applies && !m.applies(p)) continue;
          const deps = topic.steps[m.step].deps;
          const guarded = new Proxy(truth, {
            get(target, key) {
              if (typeof key === 'string' && !deps.includes(key)) throw new Error(`misconception ${m.id} reads ${key}`);
              return Reflect.get(target, key);
            },
          });
          expect(() => m.compute(p, guarded)).not.toThrow();
        }
      }
    });

    it('renders a prompt and a worked solution with no holes', () => {
      for (const difficulty of DIFFICULTIES) {
        const problem = generateProblem(topic.id, 3, difficulty);
        const sol = workedSolution(topic.id, problem.params);
        for (const text of [problem.prompt, sol]) {
          expect(text).not.toMatch(/undefined|NaN|\[object Object\]/);
          expect(text.length).toBeGreaterThan(50);
        }
        for (const id of problem.steps) expect(problem.prompt).toContain(`\`${id}\``);
      }
    });
  });
}
