/** The renderer's formula cache: the same HTML as without it, reused, and bounded by size. */
import { describe, expect, it } from 'vitest';
import { FormulaCache, markdownToHtml } from '../src/render/html.js';

describe('FormulaCache', () => {
  it('gives the same HTML as rendering afresh, and keeps each formula once', async () => {
    const src = 'Let $x = 1$ and $$\\frac{a}{b}$$ then $x = 1$ again; price \\$5.';
    const formulas = new FormulaCache();
    const plain = await markdownToHtml(src);
    expect(await markdownToHtml(src, { formulas })).toBe(plain);
    expect(formulas.size).toBe(2);
    expect(await markdownToHtml(src, { formulas })).toBe(plain);
    expect(formulas.size).toBe(2);
  });

  it('is used for KaTeX output only', async () => {
    const formulas = new FormulaCache();
    await markdownToHtml('$y$', { formulas, math: 'mathml' });
    await markdownToHtml('$y$', { formulas, math: 'tex' });
    expect(formulas.size).toBe(0);
  });

  it('drops the least recently used entries past its bound', () => {
    const c = new FormulaCache(100);
    c.set('a', 'x'.repeat(20));
    c.set('b', 'x'.repeat(20));
    c.get('a'); // a is now the most recent
    c.set('c', 'x'.repeat(20));
    c.set('d', 'x'.repeat(20));
    c.set('e', 'x'.repeat(20));
    c.set('f', 'x'.repeat(20)); // 120 chars: b, the least recent, goes
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe('x'.repeat(20));
    expect(c.size).toBe(5);
    c.set('huge', 'x'.repeat(60)); // over a quarter of the bound: not kept
    expect(c.get('huge')).toBeUndefined();
  });
});
