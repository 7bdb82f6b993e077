/**
 * Verifying a platform's id_token with jose: RS256 signature against the platform's JWKS (fetched
 * and cached by createRemoteJWKSet), iss, aud (our client_id; azp when there are several
 * audiences), exp and iat. jose's errors become problem documents that name what is wrong.
 */
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LtiError, type LtiErrorCode } from './errors.js';
import type { Claims } from './claims.js';
import type { LtiPlatform } from './types.js';

/** Allowed clock difference between the platform and us. */
const CLOCK_TOLERANCE_S = 5;

/** One remote JWKS per URL, shared by every launch of the tool (jose caches and refreshes keys). */
export function jwksCache(timeoutMs = 5000) {
  const sets = new Map<string, JWTVerifyGetKey>();
  return (url: string): JWTVerifyGetKey => {
    let set = sets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), { timeoutDuration: timeoutMs });
      sets.set(url, set);
    }
    return set;
  };
}

export type JwksCache = ReturnType<typeof jwksCache>;

export async function verifyIdToken(jwks: JwksCache, platform: LtiPlatform, idToken: string): Promise<Claims> {
  try {
    decodeProtectedHeader(idToken);
  } catch {
    throw new LtiError('invalid_id_token', 'id_token is not a JWT (three base64url parts with a JSON header)', 'id_token');
  }
  try {
    const { payload } = await jwtVerify(idToken, jwks(platform.jwksUrl), {
      issuer: platform.issuer,
      audience: platform.clientId,
      algorithms: ['RS256'],
      requiredClaims: ['exp', 'iat', 'nonce'],
      clockTolerance: CLOCK_TOLERANCE_S,
    });
    const claims = payload as Claims;
    if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp !== platform.clientId) {
      throw new LtiError('invalid_audience', `the id_token names several audiences, so its azp must be our client_id ${JSON.stringify(platform.clientId)}`, 'id_token');
    }
    return claims;
  } catch (err) {
    throw verifyError(err, platform);
  }
}

function verifyError(err: unknown, platform: LtiPlatform): unknown {
  if (err instanceof LtiError) return err;
  const e = (detail: string, code: LtiErrorCode) => new LtiError(code, detail, 'id_token');
  if (err instanceof errors.JWTExpired) return e(`the id_token expired (exp ${String(err.payload.exp)})`, 'token_expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return e(`the id_token issuer is not ${JSON.stringify(platform.issuer)}, the platform this login started with`, 'invalid_issuer');
    if (err.claim === 'aud') return e(`the id_token audience does not include our client_id ${JSON.stringify(platform.clientId)}`, 'invalid_audience');
    return e(`the id_token claim ${err.claim} is invalid: ${err.reason}`, 'invalid_token');
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return e(`the id_token signature does not verify against the platform's JWKS (${platform.jwksUrl})`, 'invalid_signature');
  if (err instanceof errors.JWKSNoMatchingKey) return e(`no key in the platform's JWKS (${platform.jwksUrl}) matches the id_token's kid and alg`, 'invalid_signature');
  if (err instanceof errors.JOSEAlgNotAllowed) return e('the id_token must be signed with RS256', 'invalid_token');
  if (err instanceof errors.JWKSTimeout) return e(`the platform's JWKS (${platform.jwksUrl}) did not answer in time`, 'platform_unreachable');
  if (err instanceof errors.JWKSInvalid || (err instanceof errors.JOSEError && /JSON Web Key Set/.test(err.message))) {
    return e(`the platform's JWKS (${platform.jwksUrl}) could not be read: ${err.message}`, 'platform_unreachable');
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return e(`the id_token is malformed: ${err.message}`, 'invalid_id_token');
  if (err instanceof errors.JOSEError) return e(`the id_token cannot be verified: ${err.message}`, 'invalid_token');
  if (err instanceof TypeError) return e(`the platform's JWKS (${platform.jwksUrl}) could not be fetched: ${err.message}`, 'platform_unreachable');
  return err;
}
