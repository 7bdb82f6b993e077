/** The courses storage contract (tests/store/contract/courses.ts) over SQLite and over a real PostgreSQL (tests/pg-server.ts). */
import { pgRequiredOnCi, usePgServer } from '../pg-server.js';
import { pgBackend, sqliteBackend } from './contract/backends.js';
import { coursesContract } from './contract/courses.js';

const server = usePgServer();

pgRequiredOnCi();
coursesContract('SQLite', sqliteBackend);
coursesContract('PostgreSQL', pgBackend(server));
