/** The users storage contract (tests/store/contract/users.ts) over SQLite and over a real PostgreSQL (tests/pg-server.ts). */
import { pgRequiredOnCi, usePgServer } from '../pg-server.js';
import { pgBackend, sqliteBackend } from './contract/backends.js';
import { usersContract } from './contract/users.js';

const server = usePgServer();

pgRequiredOnCi();
usersContract('SQLite', sqliteBackend);
usersContract('PostgreSQL', pgBackend(server));
