/** The users storage contract (tests/store/contract/users.ts) over SQLite and over a real PostgreSQL (tests/pg-server.ts). */
import { afterAll, beforeAll } from 'vitest';
import { pgRequiredOnCi, startPgServer, type PgServer } from '../pg-server.js';
import { pgBackend, sqliteBackend } from './contract/backends.js';
import { usersContract } from './contract/users.js';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 60_000);
afterAll(() => server?.stop());

pgRequiredOnCi();
usersContract('SQLite', sqliteBackend);
usersContract('PostgreSQL', pgBackend(() => server));
