/** PLACEHOLDER (pg-core branch): the variants and attempts helper writes the real file; the integrator replaces this one. */
import type { AttemptRepo, VariantRepo } from '../types.js';
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

export const pgVariants = (_pool: Pool): VariantRepo => notPorted<VariantRepo>();
export const pgAttempts = (_pool: Pool): AttemptRepo => notPorted<AttemptRepo>();
