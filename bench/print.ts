/**
 * npm run bench:print — printing a midterm on paper: 3 forms, each with its answer key, as PDFs
 * (6 documents) through one pooled Chromium, the way `stepwise exam print` runs. Each round is the
 * whole job: launch the browser, lay out and print every document, close it. The target: the
 * median round ≤ 10 s on the 2-core machine.
 *
 *   node dist/bench/print.js [rounds]
 */
import { SqliteStore } from '../src/store/sqlite/index.js';
import { createExam } from '../src/service/exams.js';
import { printExam } from '../src/print/documents.js';
import { summarise } from './stats.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const TARGET_S = 10;

const store = SqliteStore.open({ file: ':memory:' });
const user = await store.users.create({ name: 'Bench', role: 'instructor' });
// A realistic midterm: four items, matrices (self-attention), vectors, scalars and a label step.
const { exam, variants } = await createExam(store, {
  title: 'Midterm',
  blueprint: [
    { topic: 'self-attention', count: 1, difficulty: 'medium' },
    { topic: 'kl-discrete', count: 1, difficulty: 'medium' },
    { topic: 'bayes-classification', count: 1, difficulty: 'medium' },
    { topic: 'vae-sampling', count: 1, difficulty: 'medium' },
  ],
  versions: 3,
  seed: 42,
  createdBy: user.id,
});

const seconds: number[] = [];
let pages = 0;
for (let r = 0; r < ROUNDS; r++) {
  const t0 = process.hrtime.bigint();
  const out = await printExam(exam, variants, { formats: ['pdf'] });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (out.pdfUnavailable) throw new Error(out.pdfUnavailable);
  pages = out.files.reduce((n, f) => n + (f.pages ?? 0), 0);
  seconds.push(s);
  console.log(`round ${r + 1}: ${out.files.length} PDFs, ${pages} pages in ${s.toFixed(2)} s`);
}
const { median, min, max } = summarise(seconds);
console.log(`3 forms + 3 keys (${pages} pages), one browser per job: median ${median.toFixed(2)} s (min ${min.toFixed(2)}, max ${max.toFixed(2)}) over ${ROUNDS} rounds; target ≤ ${TARGET_S} s: ${median <= TARGET_S ? 'met' : 'NOT met'}`);
await store.close();
if (median > TARGET_S) process.exitCode = 1;
