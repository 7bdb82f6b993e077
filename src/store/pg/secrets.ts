/**
 * The server secret that keys exam item seeds, on PostgreSQL: STEPWISE_SECRET when set, else 32
 * random bytes made by the first node to ask and kept in the database (INSERT … ON CONFLICT DO
 * NOTHING, then read: nodes starting at once all read the one row that won). Never logged.
 */
import { randomBytes } from 'node:crypto';
import type { SecretRepo } from '../types.js';
import { now } from '../ids.js';
import { sqlOf, type Pool } from './db.js';

export function pgSecrets(pool: Pool, override?: string): SecretRepo {
  const sql = sqlOf(pool);
  let secret: Promise<Buffer> | undefined;
  const load = async (): Promise<Buffer> => {
    if (override !== undefined) return Buffer.from(override, 'utf8'); // its length is checked where it is read (configFromEnv)
    await sql.query('INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', ['server', randomBytes(32), now()]);
    const [r] = await sql.query<{ value: Buffer }>('SELECT value FROM secrets WHERE name = $1', ['server']);
    return r!.value;
  };
  return {
    server() {
      // Read once; a failed read (the database was away) is tried again on the next call.
      secret ??= load().catch((e: unknown) => {
        secret = undefined;
        throw e;
      });
      return secret;
    },
  };
}
