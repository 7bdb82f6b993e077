/** PLACEHOLDER (pg-core branch): the LTI helper writes the real file; the integrator replaces this one. */
import type { LtiRepo } from '../lti-types.js';
import type { ToolKeySealer } from '../sqlite/sealed-keys.js';
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

export const pgLti = (_pool: Pool, _sealer: ToolKeySealer): LtiRepo => notPorted<LtiRepo>();
