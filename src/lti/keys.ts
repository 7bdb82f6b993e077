/**
 * The tool's own RSA key pair (RS256): made on first use and kept in the store, so every process
 * signs with the same key and the JWKS platforms cached stays valid. It signs client assertions
 * (AGS tokens), deep linking responses and the tool's short-lived deep-link context tokens.
 */
import { randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose';
import type { Store } from '../store/types.js';
import type { ToolKey } from './types.js';

export const TOOL_ALG = 'RS256';

export interface SigningKey {
  kid: string;
  key: CryptoKey;
  publicJwk: JWK;
}

/** Makes a fresh key pair as stored JWKs (kid = the RFC 7638 thumbprint). */
export async function newToolKey(): Promise<Omit<ToolKey, 'createdAt'>> {
  const { privateKey, publicKey } = await generateKeyPair(TOOL_ALG, { extractable: true, modulusLength: 2048 });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  const meta = { kid, alg: TOOL_ALG, use: 'sig' };
  return { kid, privateJwk: { ...(await exportJWK(privateKey)), ...meta }, publicJwk: { ...pub, ...meta } };
}

/** The stored signing key, made now if there is none. */
export async function ensureToolKey(store: Store): Promise<ToolKey> {
  const [existing] = await store.lti.toolKeys();
  return existing ?? (await store.lti.addToolKey(await newToolKey()));
}

/** A per-tool cache of the imported signing key (imported once, made on first use). */
export function toolKeyring(store: Store) {
  let signing: Promise<SigningKey> | undefined;
  const load = async (): Promise<SigningKey> => {
    const k = await ensureToolKey(store);
    return { kid: k.kid, key: (await importJWK(k.privateJwk as JWK, TOOL_ALG)) as CryptoKey, publicJwk: k.publicJwk as JWK };
  };
  const signingKey = (): Promise<SigningKey> => {
    signing ??= load().catch((err: unknown) => {
      signing = undefined; // try again next time
      throw err;
    });
    return signing;
  };
  /** The public keys, as a JWKS document. */
  const jwks = async (): Promise<{ keys: JWK[] }> => {
    await signingKey();
    return { keys: (await store.lti.toolKeys()).map((k) => k.publicJwk as JWK) };
  };
  return {
    signingKey,
    jwks,
    /** Verifies a token the tool signed itself (RS256 with one of its keys). */
    async verify(token: string, options: JWTVerifyOptions): Promise<JWTPayload> {
      const { payload } = await jwtVerify(token, createLocalJWKSet(await jwks()), { ...options, algorithms: [TOOL_ALG] });
      return payload;
    },
    /** Signs claims as a JWT with the tool key: iat now, exp after `ttlSeconds`, a random jti. */
    async sign(claims: JWTPayload, ttlSeconds: number, typ = 'JWT'): Promise<string> {
      const { kid, key } = await signingKey();
      return new SignJWT(claims)
        .setProtectedHeader({ alg: TOOL_ALG, kid, typ })
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .setJti(randomUUID())
        .sign(key);
    },
  };
}

export type ToolKeyring = ReturnType<typeof toolKeyring>;
