/** The secrets storage contract (tests/store/contract/secrets.ts) over SQLite and over a real PostgreSQL (tests/pg-server.ts). */
import { pgRequiredOnCi, usePgServer } from '../pg-server.js';
import { pgBackend, sqliteBackend } from './contract/backends.js';
import { secretsContract } from './contract/secrets.js';

const server = usePgServer();

pgRequiredOnCi();
secretsContract('SQLite', sqliteBackend);
secretsContract('PostgreSQL', pgBackend(server));
