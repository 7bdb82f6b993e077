/** What the test projects' global setups provide (tests/pg-global.ts). */
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://…/postgres of the run's cluster, in the `postgres` project only. */
    pgUrl?: string;
  }
}
