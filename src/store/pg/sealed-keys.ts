/**
 * The LTI tool's private keys at rest on PostgreSQL, with the rules of ../sqlite/sealed-keys.ts
 * (the same sealer, the same SecretsLockedError): sealed rows that the secret is missing for, or
 * does not open, refuse the start; plaintext rows are sealed when a secret is given. The rows are
 * read FOR UPDATE (in kid order, so two nodes lock them in one order: no deadlock), so nodes
 * starting at once seal each plaintext row once.
 */
import { isSealed } from '../sealed.js';
import { toolKeySealer } from '../sqlite/sealed-keys.js';
import { transaction, type Pool } from './db.js';

export { SecretsLockedError, toolKeySealer, type ToolKeySealer } from '../sqlite/sealed-keys.js';

interface Row {
  kid: string;
  private_jwk: string;
}

/** Checks every stored private key opens under `secret`, sealing the plaintext ones when a secret is given (one transaction). */
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

/** Re-seals every stored private key from `oldSecret` (undefined: plaintext) to `newSecret` in one transaction: one that fails to open, nothing written. */
export async function rotatePgToolKeys(pool: Pool, oldSecret: string | undefined, newSecret: string): Promise<number> {
  const from = toolKeySealer(oldSecret);
  const to = toolKeySealer(newSecret);
  return transaction(pool, async (sql) => {
    const rows = await sql.query<Row>('SELECT kid, private_jwk FROM lti_tool_keys ORDER BY kid FOR UPDATE');
    for (const r of rows) await sql.query('UPDATE lti_tool_keys SET private_jwk = $1 WHERE kid = $2', [to.toStored(r.kid, from.fromStored(r.kid, r.private_jwk)), r.kid]);
    return rows.length;
  });
}
