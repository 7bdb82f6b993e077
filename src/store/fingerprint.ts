/** A problem's fingerprint: SHA-1 of its topic and params in canonical JSON (object keys sorted). */
import { createHash } from 'node:crypto';

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function problemFingerprint(topic: string, params: unknown): string {
  return createHash('sha1').update(topic).update('\n').update(canonical(params)).digest('hex');
}
