/**
 * A real PostgreSQL for the tests: Debian's postgresql (installed by .ci/run; `apt-get install
 * postgresql` on a developer's machine), a private cluster made with initdb in a temporary folder
 * and started with pg_ctl on a free loopback port, stopped and removed at the end. As root (CI),
 * the server runs as the `postgres` user, which the package creates. Without the binaries the
 * PostgreSQL tests are skipped, except on CI, where they are required: a test file calls
 * `pgRequiredOnCi()`, which fails under CI=true when the binaries are missing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pgInstalled, startPgServer, type PgServer } from '../bench/pg-cluster.js';

export { freshDatabase, pgInstalled, startPgServer, type PgServer } from '../bench/pg-cluster.js';

/** A test that fails under CI=true when PostgreSQL is missing (elsewhere the PostgreSQL tests just skip). */
export function pgRequiredOnCi(): void {
  it.runIf(process.env.CI === 'true')('PostgreSQL is installed (CI)', () => expect(pgInstalled()).toBe(true));
}


/**
 * A private PostgreSQL for the calling test file: started before its tests, stopped after them. The
 * getter gives the server once started (undefined before, or where PostgreSQL is not installed).
 */
export function usePgServer(): () => PgServer | undefined {
  let server: PgServer | undefined;
  beforeAll(async () => {
    server = await startPgServer();
  }, 60_000);
  afterAll(() => server?.stop());
  return () => server;
}
