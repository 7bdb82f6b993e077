/** exactJson: a cache key only when JSON names the value exactly (src/core/exact-json.ts). */
import { describe, expect, it } from 'vitest';
import { exactJson } from '../src/core/exact-json.js';

describe('exactJson', () => {
  it('is JSON for plain values: strings, booleans, null, finite numbers, plain arrays and objects', () => {
    const v = ['self-attention', { X: [[1, -2.5], [0, 3e-7]], label: 'a', ok: true, none: null, nested: { k: [] } }];
    expect(exactJson(v)).toBe(JSON.stringify(v));
    expect(exactJson(Object.assign(Object.create(null) as object, { a: 1 }))).toBe('{"a":1}');
  });

  it('refuses what JSON would blur into another value', () => {
    const blurred: unknown[] = [-0, NaN, Infinity, -Infinity, undefined, { a: undefined }, [1, undefined], [1, , 3], new Date(0), new Map(), new (class P {})(), { toJSON: () => 1 }, () => 1, Symbol('s'), 10n];
    for (const x of blurred) expect(exactJson({ params: [x] })).toBeUndefined();
    // The same values JSON would write identically are told apart by refusing one of them.
    expect(JSON.stringify([-0])).toBe(JSON.stringify([0]));
    expect(exactJson([0])).toBe('[0]');
  });

  it('refuses a cycle or deep nesting instead of looping or overflowing', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(exactJson(a)).toBeUndefined();
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(exactJson(deep)).toBeUndefined();
  });
});
