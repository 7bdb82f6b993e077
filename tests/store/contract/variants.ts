/**
 * The variants and attempts contract, over any backend: frozen variants, unreleased exam items
 * found in any spelling, attempts with their step rows and outcome notes, paper attempts updated in
 * place, the statistics' step rows, and every listing's order.
 */
import { describe, expect, it } from 'vitest';
import type { GradeResult, StepGrade } from '../../../src/solvers/grade.js';
import type { NewVariant } from '../../../src/store/types.js';
import { useExamStore, type MakeExamStore } from './exam-store.js';

export const KL = { p: [0.5, 0.5], q: [0.25, 0.75] };

export function practice(createdBy: string, more: Partial<NewVariant> = {}): NewVariant {
  return { topic: 'kl-discrete', seed: 7, difficulty: 'easy', params: KL, steps: ['kl'], prompt: 'Find KL(P‖Q).', mode: 'practice', createdBy, ...more };
}

const step = (id: string, status: StepGrade['status'], outcome: string, credit: number, marks = 1): StepGrade =>
  ({ id, label: id, status, credit, marks, expected: 1, feedback: '', outcome }) as StepGrade;

/** A graded result whose step ids are not in alphabetical order, with notes no status alone gives. */
export function graded(score: number, steps: StepGrade[] = [step('z1', 'correct', 'correct-from-rounded', 1), step('a2', 'incorrect', 'carried', 1), step('m3', 'missing', 'missing:implied', 1)]): GradeResult {
  return { topic: 'kl-discrete', score, maxScore: steps.reduce((s, x) => s + x.marks, 0), steps };
}

/** `available`: false skips every test (no PostgreSQL server installed). */
export function variantsContract(name: string, make: MakeExamStore, available: () => boolean = () => true): void {
  describe(`variants and attempts contract: ${name}`, () => {
    const open = useExamStore(make, available);

    it('a variant reads back as stored (exam version numbered from 1) from another connection; unknown ids are undefined', async (ctx) => {
      const { store, other, user, course } = await open(ctx);
      const u = await user('Ada', 'instructor');
      const c = await course('ML', u);
      const v = await store.variants.create(practice(u, { question: 'kl-q', courseId: c }));
      expect(v.id).toMatch(/^var_/);
      expect(await other.variants.get(v.id)).toEqual(v);
      expect(v).toMatchObject({ topic: 'kl-discrete', question: 'kl-q', seed: 7, params: KL, steps: ['kl'], courseId: c, createdBy: u });
      expect(v).not.toHaveProperty('examId');
      expect(await store.variants.get('var_missing')).toBeUndefined();
      // A seed above 2^31 survives (BIGINT on PostgreSQL).
      const big = await store.variants.create(practice(u, { seed: 4294967295 }));
      expect((await other.variants.get(big.id))?.seed).toBe(4294967295);
    });

    it('variants cannot be updated once stored', async (ctx) => {
      const { store, user, updateVariant } = await open(ctx);
      const v = await store.variants.create(practice(await user('Ada')));
      await expect(updateVariant(v.id)).rejects.toThrow(/frozen/);
      expect((await store.variants.get(v.id))?.prompt).toBe('Find KL(P‖Q).');
    });

    it("a session's variants list in the order made, even within one millisecond", async (ctx) => {
      const { store, user, session } = await open(ctx);
      const u = await user('Ada');
      const ps = await session(u);
      const made = [];
      for (let i = 0; i < 12; i++) made.push(await store.variants.create(practice(u, { sessionId: ps, seed: 100 - i })));
      await store.variants.create(practice(u)); // in no session
      expect((await store.variants.listBySession(ps)).map((v) => v.id)).toEqual(made.map((v) => v.id));
      expect(await store.variants.listBySession('prs_none')).toEqual([]);
    });

    it('inUnreleasedExam: an unreleased exam item in another spelling is found (through either connection), other problems are not, and none after release', async (ctx) => {
      const { store, other, user } = await open(ctx);
      const u = await user('Ada', 'instructor');
      const { exam } = await store.exams.create({ title: 'E', blueprint: [{ ref: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 1, seed: 1, createdBy: u }, (examId) => ({
        manifest: [[{ topic: 'kl-discrete', seed: 7, difficulty: 'easy' }]],
        variants: [{ ...practice(u), mode: 'exam', examId, examVersion: 1, examItem: 0 }],
      }));
      // Keys reordered and the default base written out: the same problem.
      const respelled = { q: [0.25, 0.75], base: 'e', p: [0.5, 0.5] };
      expect(await store.variants.inUnreleasedExam('kl-discrete', respelled)).toBe(true);
      expect(await other.variants.inUnreleasedExam('kl-discrete', KL)).toBe(true);
      expect(await store.variants.inUnreleasedExam('kl-discrete', { p: [0.5, 0.5], q: [0.75, 0.25] })).toBe(false);
      expect(await store.variants.inUnreleasedExam('kl-discrete', { p: 'nonsense' })).toBe(false);
      expect(await store.variants.inUnreleasedExam('no-such-topic', KL)).toBe(false);
      // A practice variant of the same problem is no exam item of its own.
      await store.variants.create(practice(u));
      await other.exams.release(exam.id);
      expect(await store.variants.inUnreleasedExam('kl-discrete', { ...respelled })).toBe(false);
      expect(await other.variants.inUnreleasedExam('kl-discrete', { ...KL })).toBe(false);
    });

    it('an attempt stores its result and one step row per graded step, each with its own outcome note; read back through another connection', async (ctx) => {
      const { store, other, user } = await open(ctx);
      const u = await user('Ada');
      const v = await store.variants.create(practice(u));
      const result = graded(2);
      const a = await store.attempts.create({ variantId: v.id, userId: u, answers: { z1: '1', a2: 0.5 }, result });
      expect(a).toMatchObject({ variantId: v.id, userId: u, score: 2, maxScore: 3 });
      expect(a.id).toMatch(/^att_/);
      const back = await other.attempts.get(a.id);
      expect(back).toEqual(a);
      expect(back).not.toHaveProperty('preview');
      expect(back).not.toHaveProperty('source');
      expect(await other.attempts.count()).toBe(1);
      expect(await store.attempts.get('att_missing')).toBeUndefined();
    });

    it('an attempt that cannot be stored whole stores nothing (a duplicate step row, an unknown variant)', async (ctx) => {
      const { store, user } = await open(ctx);
      const u = await user('Ada');
      const v = await store.variants.create(practice(u));
      await store.attempts.create({ variantId: v.id, userId: u, answers: {}, result: graded(1) });
      const r = graded(1);
      const bad = { ...r, steps: [...r.steps, r.steps[0]] };
      await expect(store.attempts.create({ variantId: v.id, userId: u, answers: {}, result: bad })).rejects.toThrow();
      await expect(store.attempts.create({ variantId: 'var_missing', userId: u, answers: {}, result: graded(1) })).rejects.toThrow();
      expect(await store.attempts.count()).toBe(1);
      expect(await store.attempts.listByVariant(v.id)).toHaveLength(1);
    });

    it('listings by variant, exam and session are in the order stored, ties within a millisecond included', async (ctx) => {
      const { store, other, user, session } = await open(ctx);
      const u = await user('Ada');
      const ps = await session(u);
      const v1 = await store.variants.create(practice(u, { sessionId: ps }));
      const v2 = await store.variants.create(practice(u, { sessionId: ps, seed: 8 }));
      const { exam, variants } = await store.exams.create({ title: 'E', blueprint: [], versions: 1, seed: 1, createdBy: u }, (examId) => ({
        manifest: [[]],
        variants: [{ ...practice(u), mode: 'exam', examId, examVersion: 1, examItem: 0 }],
      }));
      const ids: Record<string, string[]> = { v1: [], v2: [], ex: [] };
      for (let i = 0; i < 10; i++) {
        const repo = i % 2 ? other : store;
        ids.v1.push((await repo.attempts.create({ variantId: v1.id, userId: u, answers: { i }, result: graded(i % 4) })).id);
        ids.v2.push((await repo.attempts.create({ variantId: v2.id, userId: u, answers: { i }, result: graded(i % 4) })).id);
        ids.ex.push((await repo.attempts.create({ variantId: variants[0].id, userId: u, answers: { i }, result: graded(i % 4) })).id);
      }
      expect((await store.attempts.listByVariant(v1.id)).map((a) => a.id)).toEqual(ids.v1);
      expect((await store.attempts.listByExam(exam.id)).map((a) => a.id)).toEqual(ids.ex);
      expect((await other.attempts.listBySession(ps)).map((a) => a.id)).toEqual(ids.v1.map((x, i) => [x, ids.v2[i]]).flat());
      expect((await store.attempts.listByVariant(v1.id))[3].answers).toEqual({ i: 3 });
    });

    it("a paper attempt is updated in place: same id, new answers and steps, still one; it is held to no exam rule and is marked in statistics", async (ctx) => {
      const { store, other, user } = await open(ctx);
      const u = await user('Ada');
      const t = await user('Tutor', 'instructor');
      const { exam, variants } = await store.exams.create({ title: 'E', blueprint: [], versions: 1, seed: 1, createdBy: t }, (examId) => ({
        manifest: [[]],
        variants: [{ ...practice(t), mode: 'exam', examId, examVersion: 1, examItem: 0 }],
      }));
      await store.exams.release(exam.id);
      const vid = variants[0].id;
      const online = await store.attempts.create({ variantId: vid, userId: u, answers: { online: true }, result: graded(1) });
      const first = await store.attempts.putPaper({ variantId: vid, userId: u, answers: { n: 1 }, result: graded(1) });
      expect(first.source).toBe('paper');
      const second = await other.attempts.putPaper({ variantId: vid, userId: u, answers: { n: 2 }, result: graded(3, [step('k', 'correct', 'correct', 3, 3)]) });
      expect(second.id).toBe(first.id);
      expect(await store.attempts.count()).toBe(2);
      const back = await store.attempts.get(first.id);
      expect(back).toMatchObject({ id: first.id, answers: { n: 2 }, score: 3, maxScore: 3, source: 'paper', createdAt: second.createdAt });
      const stats = await other.attempts.stepOutcomes({ examId: exam.id });
      expect(stats.map((a) => a.attemptId)).toEqual([online.id, first.id]);
      expect(stats[1]).toMatchObject({ source: 'paper', score: 3, steps: [{ stepId: 'k', outcome: 'correct', credit: 3, marks: 3 }] });
      expect(stats[0]).not.toHaveProperty('source');
      // Its place in the listing is its (new) time, its id unchanged.
      expect((await store.attempts.listByVariant(vid)).map((a) => a.id)).toEqual([online.id, first.id]);
    });

    it("statistics' step rows: an exam's non-preview attempts in time order, steps in the order graded with the notes written; a course's practice by students only, by topic", async (ctx) => {
      const { store, other, user, course } = await open(ctx);
      const t = await user('Tutor', 'instructor');
      const st = await user('Sam');
      const c = await course('ML', t);
      const { exam, variants } = await store.exams.create({ title: 'E', blueprint: [], versions: 1, seed: 1, createdBy: t }, (examId) => ({
        manifest: [[]],
        variants: [{ ...practice(t), mode: 'exam', examId, examVersion: 1, examItem: 0 }],
      }));
      const a1 = await store.attempts.create({ variantId: variants[0].id, userId: st, answers: {}, result: graded(2) });
      await store.attempts.create({ variantId: variants[0].id, userId: t, answers: {}, result: graded(3), preview: true });
      const a2 = await other.attempts.create({ variantId: variants[0].id, userId: st, answers: {}, result: graded(1) });
      const ex = await store.attempts.stepOutcomes({ examId: exam.id });
      expect(ex.map((a) => a.attemptId)).toEqual([a1.id, a2.id]);
      expect(ex[0]).toEqual({
        attemptId: a1.id,
        userId: st,
        variantId: variants[0].id,
        createdAt: a1.createdAt,
        score: 2,
        steps: [
          { stepId: 'z1', outcome: 'correct-from-rounded', credit: 1, marks: 1 },
          { stepId: 'a2', outcome: 'carried', credit: 1, marks: 1 },
          { stepId: 'm3', outcome: 'missing:implied', credit: 1, marks: 1 },
        ],
      });
      // Course practice: students' attempts at practice variants of the course, the topic given.
      const pv = await store.variants.create(practice(t, { courseId: c }));
      const other1 = await store.variants.create(practice(t, { courseId: c, topic: 'kl-gaussian' }));
      const p1 = await store.attempts.create({ variantId: pv.id, userId: st, answers: {}, result: graded(1) });
      await store.attempts.create({ variantId: pv.id, userId: t, answers: {}, result: graded(1) });
      const p2 = await store.attempts.create({ variantId: other1.id, userId: st, answers: {}, result: graded(2, [step('mu', 'partial', 'misconception:swap', 0.5)]) });
      const all = await other.attempts.stepOutcomes({ courseId: c });
      expect(all.map((a) => [a.attemptId, a.topic])).toEqual([
        [p1.id, 'kl-discrete'],
        [p2.id, 'kl-gaussian'],
      ]);
      expect(all[1].steps).toEqual([{ stepId: 'mu', outcome: 'misconception:swap', credit: 0.5, marks: 1 }]);
      expect((await store.attempts.stepOutcomes({ courseId: c, topic: 'kl-gaussian' })).map((a) => a.attemptId)).toEqual([p2.id]);
      expect(await store.attempts.stepOutcomes({ examId: 'exm_none' })).toEqual([]);
    });
  });
}
