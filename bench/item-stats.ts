/**
 * npm run bench:stats — item statistics for 500 students × 10 items × 6 steps (30,000 step rows)
 * must take at most 1 s. Times the whole service path the API and the page take (read the step
 * rows from SQLite, pick each student's counted attempts, compute) and the computation alone;
 * median of several runs after a warm-up. (bench/stats.ts holds the benchmarks' own sampling helpers.)
 *
 *   node dist/bench/item-stats.js [students] [runs]
 */
import { generateProblem } from '../src/engine.js';
import type { GradeResult, StepGrade } from '../src/engine.js';
import { examStatistics } from '../src/service/statistics.js';
import { computeStatistics, type ItemLayout, type Respondent } from '../src/stats/compute.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { variantFromProblem } from '../src/service/variants.js';
import { summarise } from './stats.js';

const STUDENTS = Number(process.argv[2] ?? 500);
const RUNS = Number(process.argv[3] ?? 7);
const ITEMS = 10;
const STEPS = 6;
const LIMIT_MS = 1000;

/** A deterministic spread of outcomes: student s, item i, step j. */
const NOTES = ['correct', 'correct', 'correct', 'carried', 'partial', 'incorrect', 'misconception:scores-transposed', 'missing', 'invalid:syntax'] as const;
function stepGrade(id: string, s: number, i: number, j: number): StepGrade {
  const note = NOTES[(s * 7 + i * 3 + j * 5 + ((s * i) % 4)) % NOTES.length];
  const credit = note === 'correct' || note === 'carried' ? 1 : note === 'partial' ? 0.5 : 0;
  const status = note.startsWith('misconception:') ? 'incorrect' : note.startsWith('invalid:') ? 'invalid' : note;
  return { id, label: id, status: status as StepGrade['status'], credit, marks: 1, expected: 0, feedback: '', outcome: note };
}

async function main(): Promise<void> {
  const store = SqliteStore.open({ file: ':memory:' });
  const t = await store.users.create({ name: 'T', role: 'instructor' });
  const { exam, variants } = await store.exams.create(
    { title: 'Bench', blueprint: [{ ref: 'self-attention', count: ITEMS, difficulty: 'medium' }], versions: 1, seed: 1, createdBy: t.id },
    (examId) => {
      const items = Array.from({ length: ITEMS }, (_, i) => ({ topic: 'self-attention', seed: 100 + i, difficulty: 'medium' as const }));
      return {
        manifest: [items],
        variants: items.map((it, i) => {
          const v = variantFromProblem(generateProblem(it.topic, it.seed, it.difficulty), { mode: 'exam', createdBy: t.id, examId, examVersion: 1, examItem: i });
          return { ...v, steps: v.steps.slice(0, STEPS) };
        }),
      };
    },
  );
  const t0 = performance.now();
  for (let s = 0; s < STUDENTS; s++) {
    const u = await store.users.create({ name: `S${s}`, role: 'student' });
    await Promise.all(
      variants.map((v, i) => {
        const steps = v.steps.map((id, j) => stepGrade(id, s, i, j));
        const score = steps.reduce((a, g) => a + g.credit, 0);
        const result: GradeResult = { topic: v.topic, score, maxScore: STEPS, steps };
        return store.attempts.create({ variantId: v.id, userId: u.id, answers: {}, result });
      }),
    );
  }
  const setup = performance.now() - t0;

  const service: number[] = [];
  let rows = 0;
  for (let r = 0; r <= RUNS; r++) {
    const a = performance.now();
    const s = await examStatistics(store, exam);
    const ms = performance.now() - a;
    if (r > 0) service.push(ms); // run 0 warms up
    rows = s.steps.reduce((n, x) => n + x.n, 0);
  }
  // The computation alone, on the same shape of data.
  const layout: ItemLayout[] = variants.map((v, i) => ({ item: i + 1, label: v.topic, steps: v.steps }));
  const people: Respondent[] = Array.from({ length: STUDENTS }, (_, s) => ({
    id: `S${s}`,
    steps: variants.flatMap((v, i) => v.steps.map((id, j) => {
      const g = stepGrade(id, s, i, j);
      return { item: i + 1, step: id, note: g.outcome, mark: g.credit, max: 1 };
    })),
  }));
  const compute: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const a = performance.now();
    computeStatistics(layout, people, 'exam');
    if (r > 0) compute.push(performance.now() - a);
  }
  await store.close();
  const sv = summarise(service);
  const cp = summarise(compute);
  console.log(`item statistics: ${STUDENTS} students × ${ITEMS} items × ${STEPS} steps (${rows} step answers read; setup ${(setup / 1000).toFixed(1)} s)`);
  console.log(`  service (SQLite read + counted attempts + compute): median ${sv.median.toFixed(0)} ms (min ${sv.min.toFixed(0)}, max ${sv.max.toFixed(0)}) over ${RUNS} runs`);
  console.log(`  compute alone:                                      median ${cp.median.toFixed(0)} ms (min ${cp.min.toFixed(0)}, max ${cp.max.toFixed(0)})`);
  console.log(`  limit ${LIMIT_MS} ms: ${sv.median <= LIMIT_MS ? 'met' : 'NOT MET'}`);
  if (sv.median > LIMIT_MS) process.exitCode = 1;
}

await main();
