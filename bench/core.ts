/**
 * In-process latency of solve, grade and generate per topic: median and p99 over many calls,
 * each call timed on its own. Grading uses a realistic submission: every step answered, one early
 * step wrong and the rest carried from it (the ECF path is the expensive one).
 *
 *   npm run bench            (this and the batch throughput benchmark)
 *   node dist/bench/core.js [calls]
 */
import { generateProblem, gradeAnswers, solveProblem } from '../src/engine.js';
import { evaluateSteps } from '../src/solvers/solve.js';
import type { Params, StepValues } from '../src/solvers/topic.js';
import type { Value } from '../src/core/values.js';
import { TOPICS } from '../src/topics/index.js';
import { fmt, summarise, timeCalls } from './stats.js';

const CALLS = Number(process.argv[2] ?? 20000);
const VARIANTS = 64;

/** Moves a value off the truth (as a student's slip would). */
function slip(v: Value): Value {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return v * 0.8 + 0.05;
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'number' ? x * 0.8 + 0.05 : x))) as Value;
}

/** Answers a student computed from a slip in the first step that has dependants. */
export function slippedAnswers(topicId: string, params: Params): Record<string, unknown> {
  const topic = TOPICS.find((t) => t.id === topicId)!;
  const truth = evaluateSteps(topic, params);
  const ids = Object.keys(truth);
  const first = ids.find((id) => ids.some((d) => topic.steps[d].deps.includes(id))) ?? ids[0];
  const values: StepValues = {};
  const wrong = new Set<string>([first]);
  for (const id of ids) {
    const step = topic.steps[id];
    if (id === first) values[id] = slip(truth[id]);
    else if (step.deps.some((d) => wrong.has(d))) {
      wrong.add(id);
      values[id] = step.compute(params, values);
    } else values[id] = truth[id];
  }
  return JSON.parse(JSON.stringify(values)) as Record<string, unknown>;
}

interface Row {
  topic: string;
  solve: ReturnType<typeof summarise>;
  grade: ReturnType<typeof summarise>;
  generate: ReturnType<typeof summarise>;
}

function benchTopic(topic: string, difficulty: 'easy' | 'medium' | 'hard'): Row {
  const problems = Array.from({ length: VARIANTS }, (_, i) => generateProblem(topic, i, difficulty));
  const params = problems.map((p) => JSON.parse(JSON.stringify(p.params)) as Params);
  const answers = params.map((p) => slippedAnswers(topic, p));
  return {
    topic: `${topic} (${difficulty})`,
    solve: summarise(timeCalls((i) => solveProblem(topic, params[i % VARIANTS]), CALLS)),
    grade: summarise(timeCalls((i) => gradeAnswers(topic, params[i % VARIANTS], answers[i % VARIANTS]), CALLS)),
    generate: summarise(timeCalls((i) => generateProblem(topic, 1000 + (i % 5000), difficulty), Math.min(CALLS, 5000))),
  };
}

if (process.argv[1]?.endsWith("core.js")) main();
function main(): void {
const rows: Row[] = TOPICS.map((t) => benchTopic(t.id, 'medium'));

console.log(`Stepwise core latency, in-process, µs per call (median / p99), ${CALLS} calls each, Node ${process.version}`);
console.log('topic'.padEnd(36), 'solve'.padStart(16), 'grade'.padStart(16), 'generate'.padStart(16));
for (const r of rows) {
  const cell = (s: Row['solve']) => `${fmt(s.median)} / ${fmt(s.p99)}`.padStart(16);
  console.log(r.topic.padEnd(36), cell(r.solve), cell(r.grade), cell(r.generate));
}
const sa = rows.find((r) => r.topic.startsWith('self-attention'))!;
console.log(
  `\nTargets, 3×4 self-attention (medium: n = 3, d = 4): solve median ${fmt(sa.solve.median)} µs (target ≤ 5), grade median ${fmt(sa.grade.median)} µs (target ≤ 20)`,
);
}
