/**
 * Questions about model runs at the CLI: before `solve`, `grade` or the practice drill can judge one,
 * its runs are trained on this machine (or read from the run cache) and the engine is told the
 * answer. The engine itself never trains; this edge does, saying so first and showing a progress bar
 * on stderr (stdout stays clean for --json).
 */
import { checkArtefactParams } from '../bank/artefact-item.js';
import { artefactOf, knownArtefactAnswer, rememberArtefactAnswer } from '../engine.js';
import { cachedStudentAnswer, computeStudentAnswer } from '../models/student.js';
import type { ArtefactQuestion } from '../models/questions.js';
import { bar } from './progress.js';

/** What a student or script is told before runs are trained: it takes a while, once. */
export function trainingNotice(q: Pick<ArtefactQuestion, 'runs'>): string {
  const n = q.runs.length;
  return `This question is about live model runs: ${n === 1 ? 'its run is' : `its ${n} runs are`} trained on this machine first, 10–50 s each on a CPU (once: they are cached after).`;
}

/**
 * For a question about model runs (else nothing): checks its params, then trains or reads its runs
 * and tells the engine the answer, so solveProblem / gradeAnswers / workedSolution can answer.
 */
export async function prepareArtefact(ref: unknown, params: unknown, log: (line: string) => void = (l) => void process.stderr.write(`${l}\n`)): Promise<void> {
  const q = artefactOf(ref);
  if (!q) return;
  const { seed } = checkArtefactParams(params);
  if (knownArtefactAnswer(q.id, seed) !== undefined) return;
  let expected = cachedStudentAnswer(q, seed);
  if (expected === undefined) {
    log(trainingNotice(q));
    const b = bar(`${q.id} (seed ${seed})`);
    try {
      expected = await computeStudentAnswer(q, seed, (d, t) => b.update(d, t));
    } finally {
      b.stop();
    }
  }
  rememberArtefactAnswer(q.id, seed, expected);
}
