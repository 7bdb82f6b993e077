/** The job queues' contract (tests/store/contract/jobs.ts) over SQLite and over PostgreSQL (tests/pg-server.ts). */
import { afterAll, beforeAll } from 'vitest';
import { startPgServer, type PgServer } from '../pg-server.js';
import { jobsContract } from './contract/jobs.js';
import { pgLtiHarness, sqliteLtiHarness } from './contract/lti-harness.js';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 60_000);
afterAll(() => server?.stop());

jobsContract('SQLite', sqliteLtiHarness);
jobsContract('PostgreSQL', pgLtiHarness(() => server!.url), () => server !== undefined);
