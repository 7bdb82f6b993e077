/** The secrets storage contract (tests/store/contract/secrets.ts) over SQLite and over a real PostgreSQL (tests/pg-server.ts). */
import { afterAll, beforeAll } from 'vitest';
import { pgRequiredOnCi, startPgServer, type PgServer } from '../pg-server.js';
import { pgBackend, sqliteBackend } from './contract/backends.js';
import { secretsContract } from './contract/secrets.js';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 60_000);
afterAll(() => server?.stop());

pgRequiredOnCi();
secretsContract('SQLite', sqliteBackend);
secretsContract('PostgreSQL', pgBackend(() => server));
