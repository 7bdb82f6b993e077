/** The variants and attempts contract over SQLite and over PostgreSQL (a real server: tests/pg-server.ts; skipped where none is installed). */
import { afterAll, beforeAll } from 'vitest';
import { variantsContract } from './contract/variants.js';
import { pgExamStore, sqliteExamStore } from './contract/exam-store.js';
import { startPgServer, type PgServer } from '../pg-server.js';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 60_000);
afterAll(() => server?.stop());

variantsContract('SQLite', sqliteExamStore);
variantsContract('PostgreSQL', pgExamStore(() => server?.url ?? ''), () => server !== undefined);
