/** Bearer API keys: `Authorization: Bearer sw_…`; keys are looked up by their SHA-256. */
import type { Request } from 'express';
import type { Store } from '../store/types.js';
import { HttpError } from './problem.js';
import type { Access, Caller } from './route.js';

export async function authenticate(store: Store, req: Request, access: Access): Promise<Caller | undefined> {
  if (access === 'public') return undefined;
  const header = req.get('authorization');
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) throw new HttpError(401, 'unauthorized', 'send an API key as "Authorization: Bearer <key>"');
  const found = await store.keys.authenticate(m[1]);
  if (!found) throw new HttpError(401, 'unauthorized', 'the API key is unknown, revoked or expired');
  if (access === 'instructor' && found.key.role !== 'instructor') {
    throw new HttpError(403, 'forbidden', 'this needs an instructor key');
  }
  return found;
}
