/**
 * `stepwise exam …`: exams from the command line, against the same database as `serve`
 * (STEPWISE_DATABASE_URL when set, else STEPWISE_DB, default db/stepwise.db; STEPWISE_SECRET and STEPWISE_DB_SYNC read as `serve` reads
 * them, so item seeds agree with the server's). Each subcommand lives in its own file exporting
 * `register(exam: Command)` and wraps its body in `action` (src/cli/action.ts); this file makes
 * the group, opens the store, and lists the subcommands, one line each.
 */
import type { Command } from 'commander';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { withArtefactAnswers } from '../service/artefact-answers.js';
import { register as registerCreate } from './exam-create.js';
import { register as registerGrade } from './exam-grade.js';
import { register as registerStats } from './exam-stats.js';
import { register as registerPrint } from './exam-print.js';

/**
 * Opens the store the environment names (STEPWISE_DATABASE_URL, else STEPWISE_DB), as `serve` does,
 * runs `body`, and closes it (even on error). A STEPWISE_SECRET shorter than `serve` accepts is refused.
 */
export async function withExamStore<T>(body: (store: Store) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const store = await openStore(env);
  try {
    // The exam commands grade, print and export artefact items as the server does.
    return await body(withArtefactAnswers(store));
  } finally {
    await store.close();
  }
}

/** Adds the `exam` group and its subcommands to the program. */
export function registerExam(program: Command): Command {
  const exam = program
    .command('exam')
    .description('exams from the command line, against the database `serve` uses (STEPWISE_DB): create from a blueprint, show, grade paper answers, results');
  // One line per subcommand file: register(exam).
  registerCreate(exam); // create, show
  registerGrade(exam); // grade, results
  registerStats(exam);
  registerPrint(exam);
  return exam;
}
