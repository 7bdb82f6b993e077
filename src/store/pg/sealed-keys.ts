/**
 * The LTI tool's private keys at rest in PostgreSQL: the checks of src/store/sqlite/sealed-keys.ts
 * (a PgStore runs `openPgToolKeys` at open; `secrets rotate` on PostgreSQL runs `rotatePgToolKeys`).
 * Both run in one transaction holding the table's rows FOR UPDATE, so two nodes starting at once with
 * the secret reseal an older plaintext key once, and a rotation is all or nothing.
 */
import { isSealed } from '../sealed.js';
import { toolKeySealer } from '../sqlite/sealed-keys.js';
import { transaction, type Pool } from './db.js';

interface Row {
  kid: string;
  private_jwk: string;
}

/**
 * Checks every stored private key opens under `secret` and seals the plaintext ones when a secret is
 * given. Throws SecretsLockedError (naming STEPWISE_SECRET only) when a sealed key does not open.
 */
export async function openPgToolKeys(pool: Pool, secret: string | undefined): Promise<{ sealed: number; resealed: number; plaintext: number }> {
  const sealer = toolKeySealer(secret);
  return transaction(pool, async (sql) => {
    let sealed = 0;
    let resealed = 0;
    let plaintext = 0;
    for (const r of await sql.query<Row>('SELECT kid, private_jwk FROM lti_tool_keys ORDER BY kid FOR UPDATE')) {
      const json = sealer.fromStored(r.kid, r.private_jwk); // throws when locked
      if (isSealed(r.private_jwk)) sealed++;
      else if (secret !== undefined) {
        await sql.query('UPDATE lti_tool_keys SET private_jwk = $1 WHERE kid = $2', [sealer.toStored(r.kid, json), r.kid]);
        resealed++;
      } else plaintext++;
    }
    return { sealed, resealed, plaintext };
  });
}

/** Re-seals every stored private key from `oldSecret` (undefined: plaintext) to `newSecret`; nothing changes if one fails to open. */
export async function rotatePgToolKeys(pool: Pool, oldSecret: string | undefined, newSecret: string): Promise<number> {
  const from = toolKeySealer(oldSecret);
  const to = toolKeySealer(newSecret);
  return transaction(pool, async (sql) => {
    const rows = await sql.query<Row>('SELECT kid, private_jwk FROM lti_tool_keys ORDER BY kid FOR UPDATE');
    for (const r of rows) await sql.query('UPDATE lti_tool_keys SET private_jwk = $1 WHERE kid = $2', [to.toStored(r.kid, from.fromStored(r.kid, r.private_jwk)), r.kid]);
    return rows.length;
  });
}
