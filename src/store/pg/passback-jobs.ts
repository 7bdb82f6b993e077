/** PLACEHOLDER (pg-core branch): the job-queue helper writes the real file; the integrator replaces this one. */
import type { PassbackJobRepo } from '../lti-types.js';
import type { Pool } from './db.js';

/** An object whose every method throws: nothing is ported here yet. */
const notPorted = <T extends object>(): T =>
  new Proxy({} as T, {
    get: (_t, p) =>
      p === 'then' || typeof p === 'symbol'
        ? undefined
        : () => {
            throw new Error('not ported yet');
          },
  });

export const pgPassbackJobs = (_pool: Pool): PassbackJobRepo => notPorted<PassbackJobRepo>();
