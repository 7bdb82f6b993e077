/** The web-sessions storage contract (tests/store/contract/web-sessions.ts) over SQLite and over a real PostgreSQL (tests/pg-server.ts). */
import { pgRequiredOnCi, usePgServer } from '../pg-server.js';
import { pgBackend, sqliteBackend } from './contract/backends.js';
import { webSessionsContract } from './contract/web-sessions.js';

const server = usePgServer();

pgRequiredOnCi();
webSessionsContract('SQLite', sqliteBackend);
webSessionsContract('PostgreSQL', pgBackend(server));
