/**
 * Exam item seeds are keyed (HMAC-SHA256 under the server secret), not drawn from the exam seed;
 * params normalise to one form per problem; the service throws StepwiseError codes, not HTTP ones.
 */
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../src/core/errors.js';
import { MAX_SEED, Rng } from '../src/generators/rng.js';
import { assertCanSeeVariant } from '../src/service/access.js';
import { buildManifest, createExam, getExam, itemSeed, type SeedKey } from '../src/service/exams.js';
import { getVariant, studentVariantView } from '../src/service/variants.js';
import { normalizeParams } from '../src/solvers/params.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import type { BlueprintEntry } from '../src/store/types.js';
import { findTopic } from '../src/topics/index.js';

const blueprint: BlueprintEntry[] = [
  { ref: 'kl-discrete', count: 2, difficulty: 'easy' },
  { ref: 'self-attention-residual', count: 1, difficulty: 'medium' },
];
const key = (over: Partial<SeedKey> = {}): SeedKey => ({ secret: Buffer.alloc(32, 1), examId: 'exm_a', seed: 2026, ...over });
const seeds = (k: SeedKey) => buildManifest(blueprint, 4, k).flat().map((i) => i.seed);
const shared = (a: number[], b: number[]) => a.filter((s) => b.includes(s));

describe('exam item seeds', () => {
  it('are reproducible from the secret, exam id, seed, version and slot', () => {
    expect(seeds(key())).toEqual(seeds(key()));
    const m = buildManifest(blueprint, 4, key());
    expect(m.map((items) => items.map((i) => i.topic))).toEqual(Array(4).fill(['kl-discrete', 'kl-discrete', 'self-attention']));
    expect(m[2][1].seed).toBe(itemSeed(key(), 2, 1));
    for (const s of seeds(key())) expect(Number.isInteger(s) && s >= 0 && s <= MAX_SEED).toBe(true);
  });

  it('are unrelated across servers (secrets), exams with the same requested seed, and exam seeds', () => {
    const base = seeds(key());
    expect(shared(seeds(key({ secret: Buffer.alloc(32, 2) })), base)).toEqual([]);
    expect(shared(seeds(key({ examId: 'exm_b' })), base)).toEqual([]);
    expect(shared(seeds(key({ seed: 2027 })), base)).toEqual([]);
    // No item repeats a (topic, seed) within the exam.
    const m = buildManifest(blueprint, 4, key()).flat();
    expect(new Set(m.map((i) => `${i.topic}:${i.seed}`)).size).toBe(m.length);
  });

  it('do not give the exam seed away: none is the exam seed’s generator output', () => {
    // The old manifest drew items from new Rng(examSeed): its first output was item 1's seed, and
    // searching the 2³² exam seeds for it regenerated every version.
    for (const examSeed of [0, 1, 7, 2026, MAX_SEED]) {
      const rng = new Rng(examSeed);
      const drawn = Array.from({ length: 12 }, () => rng.int(0, MAX_SEED));
      expect(shared(seeds(key({ seed: examSeed })), drawn)).toEqual([]);
    }
  });

  it('createExam keys them by the store’s secret and the new exam’s id', async () => {
    const a = SqliteStore.open({ file: ':memory:', secret: 'a'.repeat(32) });
    const b = SqliteStore.open({ file: ':memory:', secret: 'b'.repeat(32) });
    const req = async (s: SqliteStore) => {
      const user = await s.users.create({ name: 'I', role: 'instructor' });
      return createExam(s, { title: 'E', blueprint: [{ topic: 'kl-discrete', count: 2, difficulty: 'easy' }], versions: 2, seed: 5, createdBy: user.id });
    };
    const [ea, eb] = [await req(a), await req(b)];
    const secretA = await a.secrets.server();
    expect(ea.exam.manifest.flat().map((i) => i.seed)).toEqual(
      buildManifest(ea.exam.blueprint, 2, { secret: secretA, examId: ea.exam.id, seed: 5 })
        .flat()
        .map((i) => i.seed),
    );
    expect(shared(ea.exam.manifest.flat().map((i) => i.seed), eb.exam.manifest.flat().map((i) => i.seed))).toEqual([]);
    // The variants are exactly the manifest's problems.
    ea.variants.forEach((v) => expect(v.seed).toBe(ea.exam.manifest[v.examVersion! - 1][v.examItem!].seed));
    await a.close();
    await b.close();
  });
});

describe('the student view of a variant', () => {
  it('drops an exam variant’s seed and keeps what the student needs', () => {
    const v = {
      id: 'var_1', topic: 'kl-discrete', seed: 123456, difficulty: 'easy' as const, params: { p: [0.5, 0.5], q: [0.25, 0.75] }, steps: ['kl'],
      prompt: 'Find KL', mode: 'exam' as const, examId: 'exm_1', examVersion: 1, examItem: 0, createdBy: 'usr_1', createdAt: '2026-01-01T00:00:00.000Z',
    };
    const seen = studentVariantView(v);
    expect(seen).not.toHaveProperty('seed');
    expect(seen).toMatchObject({ id: 'var_1', topic: 'kl-discrete', steps: ['kl'], prompt: 'Find KL', params: v.params });
    expect(studentVariantView({ ...v, mode: 'practice' })).toHaveProperty('seed', 123456);
  });
});

describe('normalised params', () => {
  const topic = (id: string) => findTopic(id)!;
  it('leave out defaults and sort keys; other values are kept', () => {
    expect(JSON.stringify(normalizeParams(topic('kl-discrete'), { q: [0.25, 0.75], base: 'e', p: [0.5, 0.5] }))).toBe('{"p":[0.5,0.5],"q":[0.25,0.75]}');
    expect(normalizeParams(topic('kl-discrete'), { p: [0.5, 0.5], q: [0.25, 0.75], base: '2' })).toHaveProperty('base', '2');
    expect(normalizeParams(topic('positional-encoding'), { d_model: 4, positions: [0, 1], base: 10000 })).toEqual({ d_model: 4, positions: [0, 1] });
    expect(normalizeParams(topic('positional-encoding'), { d_model: 4, positions: [0, 1], base: 100 })).toHaveProperty('base', 100);
    expect(normalizeParams(topic('self-attention'), { X: [[1]], W_Q: [[1]], W_K: [[1]], W_V: [[1]], causal: false })).not.toHaveProperty('causal');
  });

  it('are validated first: bad params throw the solver’s own error', () => {
    expect(() => normalizeParams(topic('kl-discrete'), { p: ['0.5', 0.5], q: [0.25, 0.75] })).toThrow(/params\.p\[0\]/);
    expect(() => normalizeParams(topic('kl-discrete'), { p: [0.5, 0.5], q: [0.5] })).toThrow(StepwiseError);
  });
});

describe('the service throws StepwiseError codes', () => {
  it('not_found and forbidden, mapped to HTTP statuses only at the edge', async () => {
    const store = SqliteStore.open({ file: ':memory:' });
    await expect(getExam(store, 'exm_nope')).rejects.toMatchObject({ name: 'StepwiseError', code: 'not_found' });
    await expect(getVariant(store, 'var_nope')).rejects.toMatchObject({ name: 'StepwiseError', code: 'not_found' });
    const user = await store.users.create({ name: 'I', role: 'instructor' });
    const student = await store.users.create({ name: 'S', role: 'student' });
    const { variants } = await createExam(store, { title: 'E', blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1, seed: 1, createdBy: user.id });
    const caller = { user: student, key: { id: 'k', userId: student.id, role: 'student' as const, label: '', prefix: '', createdAt: '' } };
    await expect(assertCanSeeVariant(store, caller, variants[0])).rejects.toMatchObject({ name: 'StepwiseError', code: 'forbidden' });
    await store.close();
  });
});
