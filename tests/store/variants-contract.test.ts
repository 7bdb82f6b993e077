/** The variants and attempts contract over SQLite and over PostgreSQL (a real server: tests/pg-server.ts; skipped where none is installed). */
import { variantsContract } from './contract/variants.js';
import { pgExamStore, sqliteExamStore } from './contract/exam-store.js';
import { usePgServer } from '../pg-server.js';

const server = usePgServer();

variantsContract('SQLite', sqliteExamStore);
variantsContract('PostgreSQL', pgExamStore(() => server()?.url ?? ''), () => server() !== undefined);
