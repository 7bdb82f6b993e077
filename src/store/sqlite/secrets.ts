/**
 * The server secret that keys exam item seeds: STEPWISE_SECRET when set, else 32 random bytes made
 * at the first open and kept in the database. Only its holder can derive an exam's seeds; it is
 * never logged and no route returns it.
 */
import { randomBytes } from 'node:crypto';
import type { SecretRepo } from '../types.js';
import { now } from '../ids.js';
import type { Db } from './db.js';

export function sqliteSecrets(db: Db, override?: string): SecretRepo {
  let secret: Buffer;
  if (override !== undefined) {
    secret = Buffer.from(override, 'utf8'); // its length is checked where it is read (configFromEnv)
  } else {
    db.prepare('INSERT OR IGNORE INTO secrets (name, value, created_at) VALUES (?, ?, ?)').run('server', randomBytes(32), now());
    secret = db.prepare<[string], { value: Buffer }>('SELECT value FROM secrets WHERE name = ?').get('server')!.value;
  }
  return {
    async server() {
      return secret;
    },
  };
}
