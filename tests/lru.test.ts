/** The LRU cache: a count bound by default, a weight bound with `weigh`. */
import { describe, expect, it } from 'vitest';
import { Lru } from '../src/core/lru.js';

describe('Lru', () => {
  it('unweighted: keeps at most max entries, dropping the least recently used', () => {
    const c = new Lru<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
    expect(c.weight).toBe(2);
  });

  it('unweighted: a bound under 4 still keeps entries (no quarter rule without weigh)', () => {
    const c = new Lru<string, string>(1);
    c.set('a', 'x');
    expect(c.get('a')).toBe('x');
    c.set('b', 'y');
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBe('y');
  });

  it('weighted: drops the oldest entries until the total is under the bound', () => {
    const c = new Lru<string, string>(10, (s) => s.length);
    c.set('a', 'xx'); // 2
    c.set('b', 'xx'); // 4
    c.set('c', 'xx'); // 6
    c.set('d', 'xx'); // 8
    c.get('a'); // order now b, c, d, a
    c.set('e', 'x'); // 9
    expect(c.size).toBe(5);
    c.set('f', 'xx'); // 11 > 10: b goes, 9
    expect(c.get('b')).toBeUndefined();
    expect(c.weight).toBe(9);
    c.set('g', 'xx'); // 11: c goes, 9
    expect(c.get('c')).toBeUndefined();
    expect(c.get('a')).toBe('xx');
    expect(c.size).toBe(5);
  });

  it('weighted: refuses an entry heavier than a quarter of the bound, keeping what was there', () => {
    const c = new Lru<string, string>(12, (s) => s.length);
    c.set('a', 'xxx'); // exactly a quarter: kept
    expect(c.get('a')).toBe('xxx');
    c.set('a', 'xxxx'); // over a quarter: refused, the old value stays
    expect(c.get('a')).toBe('xxx');
    c.set('big', 'xxxx');
    expect(c.get('big')).toBeUndefined();
    expect(c.size).toBe(1);
    expect(c.weight).toBe(3);
  });

  it('weighted: replacing a key counts only its new weight', () => {
    const c = new Lru<string, string>(8, (s) => s.length);
    c.set('a', 'xx');
    c.set('a', 'x');
    expect(c.weight).toBe(1);
    expect(c.size).toBe(1);
  });

  it('weighted: a weight that is not a finite number ≥ 0 is an error, not a corrupt total', () => {
    const c = new Lru<string, number>(8, (n) => n);
    expect(() => c.set('a', Number.NaN)).toThrow(/finite number/);
    expect(() => c.set('a', -1)).toThrow(/finite number/);
    expect(() => c.set('a', Infinity)).toThrow(/finite number/);
    expect(c.size).toBe(0);
    expect(c.weight).toBe(0);
  });
});
