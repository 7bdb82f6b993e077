/**
 * The LTI tool's private keys at rest (lti_tool_keys.private_jwk). With STEPWISE_SECRET set they are
 * sealed (AES-256-GCM, see ../sealed.ts); without it they stay plaintext, as sealing under a secret
 * kept in the same database would add nothing. At open: sealed rows with no key, or a key that does
 * not open them, refuse the start; plaintext rows from older databases are sealed when a key is given.
 */
import { StepwiseError } from '../../core/errors.js';
import { isSealed, SealError, seal, sealingKey, unseal } from '../sealed.js';
import { writeTransaction, type Db } from './db.js';

const aadOf = (kid: string): string => `lti_tool_keys:${kid}`;

/**
 * The message a refused start prints: it names the variable, never its value. The operator's input
 * to fix (the CLI exits 2), not a bug.
 */
export class SecretsLockedError extends StepwiseError {
  constructor(reason: 'missing' | 'wrong', variable = 'STEPWISE_SECRET') {
    super(
      'invalid_request',
      reason === 'missing'
        ? `the database holds secrets encrypted at rest, but ${variable} is not set: start with the ${variable} they were encrypted under`
        : `the database holds secrets encrypted at rest that ${variable} does not open: it is not the secret they were encrypted under`,
      variable,
    );
  }
}

export interface ToolKeySealer {
  /** The stored form of a private JWK (JSON text). */
  toStored(kid: string, json: string): string;
  /** The JSON text of a stored private JWK. */
  fromStored(kid: string, stored: string): string;
}

export function toolKeySealer(secret: string | undefined): ToolKeySealer {
  const key = secret === undefined ? undefined : sealingKey(secret);
  return {
    toStored: (kid, json) => (key ? seal(key, json, aadOf(kid)) : json),
    fromStored(kid, stored) {
      if (!isSealed(stored)) return stored;
      if (!key) throw new SecretsLockedError('missing');
      try {
        return unseal(key, stored, aadOf(kid));
      } catch (err) {
        if (err instanceof SealError) throw new SecretsLockedError('wrong');
        throw err;
      }
    },
  };
}

interface Row {
  kid: string;
  private_jwk: string;
}

/**
 * Checks every stored private key opens under `secret` and seals the plaintext ones when a secret is
 * given (one transaction). Throws SecretsLockedError, naming STEPWISE_SECRET only.
 */
export function openToolKeys(db: Db, secret: string | undefined): { sealed: number; resealed: number; plaintext: number } {
  const sealer = toolKeySealer(secret);
  const update = db.prepare('UPDATE lti_tool_keys SET private_jwk = ? WHERE kid = ?');
  return writeTransaction(db, () => {
    let sealed = 0;
    let resealed = 0;
    let plaintext = 0;
    for (const r of db.prepare<[], Row>('SELECT kid, private_jwk FROM lti_tool_keys').all()) {
      const json = sealer.fromStored(r.kid, r.private_jwk); // throws when locked
      if (isSealed(r.private_jwk)) sealed++;
      else if (secret !== undefined) {
        update.run(sealer.toStored(r.kid, json), r.kid);
        resealed++;
      } else plaintext++;
    }
    return { sealed, resealed, plaintext };
  })();
}

/**
 * Re-seals every stored private key from `oldSecret` (undefined: they are plaintext) to `newSecret`,
 * in one transaction: if any row fails to open, nothing is written.
 */
export function rotateToolKeys(db: Db, oldSecret: string | undefined, newSecret: string): number {
  const from = toolKeySealer(oldSecret);
  const to = toolKeySealer(newSecret);
  const update = db.prepare('UPDATE lti_tool_keys SET private_jwk = ? WHERE kid = ?');
  return writeTransaction(db, () => {
    const rows = db.prepare<[], Row>('SELECT kid, private_jwk FROM lti_tool_keys').all();
    for (const r of rows) update.run(to.toStored(r.kid, from.fromStored(r.kid, r.private_jwk)), r.kid);
    return rows.length;
  })();
}
