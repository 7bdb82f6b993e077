/** The pooled CSPRNG bytes behind ids and page nonces (src/core/random-pool.ts). */
import { describe, expect, it } from 'vitest';
import { randomText } from '../src/core/random-pool.js';
import { newId } from '../src/store/ids.js';

describe('randomText', () => {
  it('gives n fresh bytes each call, across pool refills, never repeating', () => {
    const seen = new Set<string>();
    // 16 bytes × 1,000 draws: four refills of the 4 KiB pool.
    for (let i = 0; i < 1000; i++) {
      const t = randomText(16, 'base64url');
      expect(Buffer.from(t, 'base64url')).toHaveLength(16);
      seen.add(t);
    }
    expect(seen.size).toBe(1000);
    expect(Buffer.from(randomText(16, 'base64'), 'base64')).toHaveLength(16);
  });

  it('bytes look uniform: each bit set about half the time (±5%)', () => {
    const bits = new Array<number>(8).fill(0);
    const n = 20_000;
    for (let i = 0; i < n / 16; i++) for (const b of Buffer.from(randomText(16, 'base64url'), 'base64url')) for (let k = 0; k < 8; k++) bits[k] += (b >> k) & 1;
    for (const c of bits) expect(Math.abs(c / n - 0.5)).toBeLessThan(0.05);
  });

  it('refuses a size it cannot give', () => {
    for (const n of [0, -1, 1.5, 4097, NaN]) expect(() => randomText(n, 'base64url')).toThrow(RangeError);
  });

  it('ids keep their form: prefix, underscore, 16 bytes base64url', () => {
    expect(newId('att')).toMatch(/^att_[\w-]{22}$/);
  });
});
