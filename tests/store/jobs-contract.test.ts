/** The job queues' contract (tests/store/contract/jobs.ts) over SQLite and over PostgreSQL (tests/pg-server.ts). */
import { usePgServer } from '../pg-server.js';
import { jobsContract } from './contract/jobs.js';
import { pgLtiHarness, sqliteLtiHarness } from './contract/lti-harness.js';

const server = usePgServer();

jobsContract('SQLite', sqliteLtiHarness);
jobsContract('PostgreSQL', pgLtiHarness(() => server()!.url), () => server() !== undefined);
