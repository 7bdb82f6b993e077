/** The web-sessions storage contract (tests/store/contract/web-sessions.ts) over SQLite and over a real PostgreSQL (tests/pg-server.ts). */
import { afterAll, beforeAll } from 'vitest';
import { pgRequiredOnCi, startPgServer, type PgServer } from '../pg-server.js';
import { pgBackend, sqliteBackend } from './contract/backends.js';
import { webSessionsContract } from './contract/web-sessions.js';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 60_000);
afterAll(() => server?.stop());

pgRequiredOnCi();
webSessionsContract('SQLite', sqliteBackend);
webSessionsContract('PostgreSQL', pgBackend(() => server));
