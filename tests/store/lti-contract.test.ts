/** The LTI repository's contract (tests/store/contract/lti.ts) over SQLite and over PostgreSQL (tests/pg-server.ts). */
import { usePgServer } from '../pg-server.js';
import { ltiContract } from './contract/lti.js';
import { pgLtiHarness, sqliteLtiHarness } from './contract/lti-harness.js';

const server = usePgServer();

ltiContract('SQLite', sqliteLtiHarness);
ltiContract('PostgreSQL', pgLtiHarness(() => server()!.url), () => server() !== undefined);
