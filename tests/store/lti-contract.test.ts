/** The LTI repository's contract (tests/store/contract/lti.ts) over SQLite and over PostgreSQL (tests/pg-server.ts). */
import { afterAll, beforeAll } from 'vitest';
import { startPgServer, type PgServer } from '../pg-server.js';
import { ltiContract } from './contract/lti.js';
import { pgLtiHarness, sqliteLtiHarness } from './contract/lti-harness.js';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 60_000);
afterAll(() => server?.stop());

ltiContract('SQLite', sqliteLtiHarness);
ltiContract('PostgreSQL', pgLtiHarness(() => server!.url), () => server !== undefined);
