/** The exams contract over SQLite and over PostgreSQL (a real server: tests/pg-server.ts; skipped where none is installed). */
import { examsContract } from './contract/exams.js';
import { pgExamStore, sqliteExamStore } from './contract/exam-store.js';
import { usePgServer } from '../pg-server.js';

const server = usePgServer();

examsContract('SQLite', sqliteExamStore);
examsContract('PostgreSQL', pgExamStore(() => server()?.url ?? ''), () => server() !== undefined);
