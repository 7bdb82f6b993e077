/** The courses storage contract (tests/store/contract/courses.ts) over SQLite and over a real PostgreSQL (tests/pg-server.ts). */
import { afterAll, beforeAll } from 'vitest';
import { pgRequiredOnCi, startPgServer, type PgServer } from '../pg-server.js';
import { pgBackend, sqliteBackend } from './contract/backends.js';
import { coursesContract } from './contract/courses.js';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 60_000);
afterAll(() => server?.stop());

pgRequiredOnCi();
coursesContract('SQLite', sqliteBackend);
coursesContract('PostgreSQL', pgBackend(() => server));
