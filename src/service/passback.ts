/** Grade passback's jobs as instructors see them: by state, and a dead one sent again. */
import { StepwiseError } from '../core/errors.js';
import type { PassbackJob } from '../store/lti-types.js';
import type { Store } from '../store/types.js';

export const PASSBACK_STATES = ['pending', 'dead', 'done'] as const;

/** A state from a query (default dead), or invalid_request naming the field. */
export function passbackState(raw: unknown, field = 'query.state'): PassbackJob['state'] {
  const state = PASSBACK_STATES.find((s) => s === (raw ?? 'dead'));
  if (!state) throw new StepwiseError('invalid_request', `state must be one of ${PASSBACK_STATES.join(', ')}, got ${JSON.stringify(raw)}`, field);
  return state;
}

/** Makes a dead (or waiting) job due now with its tries reset; not_found, or conflict once posted. */
export async function retryPassback(store: Store, rawId: string): Promise<PassbackJob> {
  const id = /^\d{1,15}$/.test(rawId) ? Number(rawId) : NaN;
  const job = Number.isSafeInteger(id) ? await store.passback.retry(id) : undefined;
  if (job) return job;
  const known = Number.isSafeInteger(id) ? await store.passback.get(id) : undefined;
  if (known) throw new StepwiseError('conflict', `passback job ${rawId} was posted already (${known.doneAt ?? ''}); there is nothing to send again`);
  throw new StepwiseError('not_found', `no passback job with id ${JSON.stringify(rawId)}`);
}
