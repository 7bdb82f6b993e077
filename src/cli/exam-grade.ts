/**
 * `stepwise exam grade <exam> --answers answers.csv` (paper answers graded and stored as attempts,
 * src/service/paper-answers.ts) and `stepwise exam results <exam> [--format csv|json]` (what
 * GET /api/v1/exams/{id}/results returns). Grading exits 2 when some rows were refused (the good
 * ones are stored all the same), so a script notices.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { StepwiseError } from '../core/errors.js';
import { getExam } from '../service/exams.js';
import { examResults, resultsCsv } from '../service/exam-results.js';
import { gradePaperAnswers, MAX_PAPER_CSV_BYTES, type PaperReport } from '../service/paper-answers.js';
import { action, print } from './action.js';
import { withExamStore } from './exam.js';
import { bar } from './progress.js';

function readCsvArg(file: string): string {
  try {
    const buf = readFileSync(file === '-' ? 0 : file);
    if (buf.length > MAX_PAPER_CSV_BYTES) throw new StepwiseError('too_large', `${file} is larger than ${MAX_PAPER_CSV_BYTES} bytes: split it into several files`, 'answers');
    return buf.toString('utf8');
  } catch (e) {
    if (e instanceof StepwiseError) throw e;
    throw new StepwiseError('invalid_request', `cannot read ${file}: ${(e as Error).message}`, 'answers');
  }
}

export function reportText(r: PaperReport, file: string): string {
  const added = r.added.length === 0 ? '' : `; added ${r.added.length} student${r.added.length === 1 ? '' : 's'} (${r.added.map((a) => `${a.name} ${a.userId}`).join(', ')})`;
  const head = `stored ${r.stored} answer${r.stored === 1 ? '' : 's'} in ${r.attempts} paper attempt${r.attempts === 1 ? '' : 's'}${added}`;
  if (r.rejected.length === 0) return `${head}; no row refused`;
  return [`${head}; ${r.rejected.length} row${r.rejected.length === 1 ? '' : 's'} refused:`, ...r.rejected.map((x) => `  ${file} line ${x.line}, ${x.field}: ${x.message}`)].join('\n');
}

export function register(exam: Command): void {
  exam
    .command('grade')
    .description('grade paper answers typed into a CSV (header: student, form, item, step, answer) and store them as paper attempts')
    .argument('<exam>', 'exam id')
    .requiredOption('-a, --answers <file>', 'the answers CSV (- for stdin); item is the 1-based position in the form, answer in the engine syntax')
    .option('--add-students', 'a student that is no user id or name becomes a new student of that name (a paper-only class)')
    .option('--json', 'machine-readable report: {stored, attempts, rejected: [{line, field, message}], added: [{name, userId}]}')
    .action(
      action(async (id: string, opts: { answers: string; addStudents?: boolean; json?: boolean }) => {
        const csv = readCsvArg(opts.answers);
        const progress = bar('grading');
        let report: PaperReport;
        try {
          report = await withExamStore(async (store) => gradePaperAnswers(store, await getExam(store, id), csv, { addStudents: !!opts.addStudents, onProgress: (d, t) => progress.update(d, t) }));
        } finally {
          progress.stop();
        }
        print(!!opts.json, report, () => reportText(report, opts.answers === '-' ? 'stdin' : opts.answers));
        if (report.rejected.length > 0) process.exitCode = 2;
      }),
    );
  exam
    .command('results')
    .description("each student's score per item and in total (the exam's counting rule; paper and online attempts alike), as GET /api/v1/exams/{id}/results gives them")
    .argument('<exam>', 'exam id')
    .addOption(new Option('-f, --format <format>', 'csv (RFC 4180, one row per student) or json').choices(['csv', 'json']).default('csv'))
    .action(
      action(async (id: string, opts: { format: 'csv' | 'json' }) => {
        const results = await withExamStore(async (store) => examResults(store, await getExam(store, id)));
        if (opts.format === 'json') print(true, results, () => '');
        else process.stdout.write(resultsCsv(results));
      }),
    );
}
