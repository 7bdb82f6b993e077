/**
 * The practice caches that keep a class on an assigned exercise fast (src/service/variants.ts):
 * generated problems by ref, seed and difficulty, and practice solutions by topic and params.
 * They hold only engine output, never a student's page data: two students on the same seed each
 * see their own name, CSRF token, variant and answers; no variant shares mutable params with
 * another; and the caches stay within their bounds however many seeds are asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProblem } from '../../src/engine.js';
import { createVariant, practiceCacheSizes, variantAnswers } from '../../src/service/variants.js';
import type { NewVariant, Store, Variant } from '../../src/store/types.js';
import type { Harness } from '../api/harness.js';
import { gridFields, selfAttentionChain, signIn, startPages } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startPages();
});
afterAll(async () => {
  await h.close();
});

const variantIdOf = (html: string) => /action="\/practice\/v\/([^"]+)"/.exec(html)![1];

describe('practice caches', () => {
  it('two students on the same assigned seed each get their own page: name, CSRF token, variant and answers', async () => {
    const [ada, bob] = [await h.student('Ada Lovelace'), await h.student('Bob Brown')];
    const [a, b] = [await signIn(h, ada.key), await signIn(h, bob.key)];
    const pa = await a.get('/practice/self-attention?seed=7&difficulty=medium');
    const pb = await b.get('/practice/self-attention?seed=7&difficulty=medium');
    expect([pa.status, pb.status]).toEqual([200, 200]);
    const [va, vb] = [variantIdOf(pa.text), variantIdOf(pb.text)];
    const [ca, cb] = [a.csrf(pa.text), b.csrf(pb.text)];
    expect(va).not.toBe(vb);
    expect(ca).not.toBe(cb);
    expect(pa.text).toContain('Ada Lovelace');
    expect(pb.text).toContain('Bob Brown');
    for (const leaked of ['Ada Lovelace', va, ca]) expect(pb.text).not.toContain(leaked);
    for (const leaked of ['Bob Brown', vb, cb]) expect(pa.text).not.toContain(leaked);

    // Ada slips on Q (carried through); Bob answers everything right.
    const { params } = generateProblem('self-attention', 7, 'medium');
    const p = params as { X: number[][]; W_Q: number[][]; W_K: number[][]; W_V: number[][] };
    const fields = (chain: Record<string, number[][]>) => Object.assign({}, ...Object.entries(chain).map(([id, m]) => gridFields(id, m)));
    const slipped = fields(selfAttentionChain(p, (q) => q.map((r, i) => r.map((x, j) => (i === 0 && j === 0 ? x + 1 : x)))));
    const right = fields(selfAttentionChain(p));
    const ra = await a.post(`/practice/v/${va}`, { _csrf: ca, action: 'submit', ...slipped });
    const rb = await b.post(`/practice/v/${vb}`, { _csrf: cb, action: 'submit', ...right });
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(ra.text).toContain('data-status="carried"');
    expect(rb.text).not.toContain('data-status="carried"');
    // Each results page shows its own entry in Q's first cell, not the other's.
    const firstQ = (html: string) => /name="answers\[Q\]\[0\]\[0\]" value="([^"]*)"/.exec(html)?.[1];
    expect(firstQ(ra.text)).toBe(slipped['answers[Q][0][0]']);
    expect(firstQ(rb.text)).toBe(right['answers[Q][0][0]']);
    expect(firstQ(ra.text)).not.toBe(firstQ(rb.text));
    for (const leaked of ['Ada Lovelace', va, ca]) expect(rb.text).not.toContain(leaked);
    for (const leaked of ['Bob Brown', vb, cb]) expect(ra.text).not.toContain(leaked);
  });

  it('a cached problem is copied into each variant: changing one variant’s params changes no other', async () => {
    const { id } = await h.student();
    // A store that hands back what it was given (SQLite's reads its row back, which would hide a shared object).
    const variants = { ...h.store.variants, create: async (nv: NewVariant): Promise<Variant> => ({ ...nv, id: `var_${Math.random()}`, createdAt: 'now' }) };
    const store = Object.create(h.store, { variants: { value: variants } }) as Store;
    const make = () => createVariant(store, { ref: 'self-attention', seed: 11, difficulty: 'medium', mode: 'practice', createdBy: id });
    const v1 = await make();
    const fresh = generateProblem('self-attention', 11, 'medium');
    (v1.params as { X: number[][] }).X[0][0] = 12345;
    v1.steps.push('not-a-step');
    const v2 = await make();
    expect(v2.params).toEqual(fresh.params);
    expect(v2.steps).toEqual(fresh.steps);
    expect(v2.prompt).toBe(fresh.prompt);
  });

  it('stay within their bounds however many seeds are asked for', async () => {
    const { id } = await h.student();
    const { problemsMax, solutionsMax } = practiceCacheSizes();
    for (let seed = 0; seed <= Math.max(problemsMax, solutionsMax) + 10; seed++) {
      const v = await createVariant(h.store, { ref: 'self-attention', seed, mode: 'practice', createdBy: id });
      if (seed <= solutionsMax + 10) variantAnswers(v);
    }
    const after = practiceCacheSizes();
    expect(after.problems).toBeLessThanOrEqual(problemsMax);
    expect(after.solutions).toBeLessThanOrEqual(solutionsMax);
    // And they were used: full, not bypassed.
    expect(after.problems).toBe(problemsMax);
    expect(after.solutions).toBe(solutionsMax);
  }, 60_000);
});
