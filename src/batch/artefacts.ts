/**
 * Questions about model runs in a batch (`stepwise batch` and POST /api/v1/batch). A batch line is
 * bounded work: it never trains. Before the engine solves or grades one, its answer is looked up in
 * this machine's run cache (what `stepwise artefacts warm`, a model worker or an earlier CLI solve
 * computed) and told to the engine; when a run is missing the engine's `not_ready` reply says how to
 * fill the cache. The lookup lives here, not in the engine (which knows no storage) nor in each edge
 * (so the CLI and the HTTP batch agree).
 */
import { checkArtefactParams } from '../bank/artefact-item.js';
import { StepwiseError } from '../core/errors.js';
import { artefactOf, knownArtefactAnswer, rememberArtefactAnswer } from '../engine.js';
import { cachedStudentAnswer } from '../models/student.js';

/** Tells the engine the answer of an artefact question's (id, seed) when its runs are cached here; anything else is left to the engine to judge. */
export function loadCachedArtefactAnswer(ref: unknown, params: unknown): void {
  const q = artefactOf(ref);
  if (!q) return;
  let seed: number;
  try {
    seed = checkArtefactParams(params).seed;
  } catch {
    return; // the engine names the bad param
  }
  if (knownArtefactAnswer(q.id, seed) !== undefined) return;
  let expected: number | string | undefined;
  try {
    expected = cachedStudentAnswer(q, seed);
  } catch {
    // A tie between runs or a damaged entry: the runs' own error names them (vanilla, minibatch…),
    // which a student's reply must not show, so the reply says only where to look.
    throw new StepwiseError('internal', `question ${q.id}, seed ${seed}: its cached runs give no answer; \`npx stepwise artefacts question ${q.id} --seed ${seed} --instructor\` shows why`, 'params.seed');
  }
  if (expected !== undefined) rememberArtefactAnswer(q.id, seed, expected);
}

/** The engine's `not_ready` for an artefact question, reworded for a batch: what is missing and the command that fills the cache. */
export function batchNotReady(e: unknown, ref: unknown, params: unknown): unknown {
  if (!(e instanceof StepwiseError) || e.code !== 'not_ready') return e;
  const q = artefactOf(ref);
  const seed = (params as { seed?: unknown } | null)?.seed;
  if (!q) return e;
  return new StepwiseError(
    'not_ready',
    `question ${q.id}, seed ${String(seed)}: its model runs are not in this machine's run cache, and a batch never trains them; \`npx stepwise artefacts warm\` fills the cache (once, for every seed of every question about model runs)`,
    e.path ?? 'params.seed',
  );
}
