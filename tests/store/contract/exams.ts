/**
 * The exams contract, over any backend: an exam and its variants made in one transaction from
 * build(examId), versions assigned in rotation (also by two nodes at once), release, and the
 * attempt guard (not released, within the window, under the attempt limit) holding under
 * concurrent submissions through two connections.
 */
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../../src/core/errors.js';
import type { NewVariant } from '../../../src/store/types.js';
import { useExamStore, type ExamRepos, type MakeExamStore } from './exam-store.js';
import { graded, practice } from './variants.js';

const codeOf = (e: unknown): string | undefined => (e instanceof StepwiseError ? e.code : undefined);

/** An exam of `versions` versions of `items` kl-discrete items each (distinct params per item). */
async function examOf(repos: ExamRepos, createdBy: string, more: { versions?: number; items?: number; attemptLimit?: number; opensAt?: string; closesAt?: string } = {}, id?: string) {
  const versions = more.versions ?? 2;
  const items = more.items ?? 2;
  let builtWith: string | undefined;
  const made = await repos.exams.create(
    {
      title: 'Midterm',
      blueprint: [{ ref: 'kl-discrete', count: items, difficulty: 'easy' }],
      versions,
      seed: 42,
      createdBy,
      ...(more.attemptLimit ? { attemptLimit: more.attemptLimit } : {}),
      ...(more.opensAt ? { opensAt: more.opensAt } : {}),
      ...(more.closesAt ? { closesAt: more.closesAt } : {}),
    },
    (examId) => {
      builtWith = examId;
      const variants: NewVariant[] = [];
      const manifest = [];
      // Made version-major but listed by version then item whatever the order made: made backwards here.
      for (let v = versions; v >= 1; v--) {
        const row = [];
        for (let i = items - 1; i >= 0; i--) {
          const q = 0.1 + 0.05 * (v * items + i);
          variants.push({ ...practice(createdBy), params: { p: [0.5, 0.5], q: [q, 1 - q] }, seed: v * 100 + i, mode: 'exam', examId, examVersion: v, examItem: i });
          row.unshift({ topic: 'kl-discrete', seed: v * 100 + i, difficulty: 'easy' as const });
        }
        manifest.unshift(row);
      }
      return { manifest, variants };
    },
    id,
  );
  expect(builtWith).toBe(made.exam.id);
  return made;
}

/** `available`: false skips every test (no PostgreSQL server installed). */
export function examsContract(name: string, make: MakeExamStore, available: () => boolean = () => true): void {
  describe(`exams contract: ${name}`, () => {
    const open = useExamStore(make, available);

    it('an exam is stored with every variant of every version from build(examId); defaults filled; listed by version and item', async (ctx) => {
      const { store, other, user } = await open(ctx);
      const t = await user('Tutor', 'instructor');
      const { exam, variants } = await examOf(store, t, { versions: 3, items: 2 });
      expect(exam.id).toMatch(/^exm_/);
      expect(exam).toMatchObject({ title: 'Midterm', versions: 3, seed: 42, attemptLimit: 1, feedback: 'none', counts: 'last', blankSteps: 'shown', createdBy: t });
      expect(exam).not.toHaveProperty('releasedAt');
      expect(exam.manifest).toHaveLength(3);
      expect(variants).toHaveLength(6);
      expect(await other.exams.get(exam.id)).toEqual(exam);
      const listed = await other.variants.listByExam(exam.id);
      expect(listed.map((v) => [v.examVersion, v.examItem])).toEqual([
        [1, 0],
        [1, 1],
        [2, 0],
        [2, 1],
        [3, 0],
        [3, 1],
      ]);
      expect(listed.every((v) => v.examId === exam.id && v.mode === 'exam')).toBe(true);
      expect((await store.variants.listByExam(exam.id, 2)).map((v) => [v.examVersion, v.examItem, v.seed])).toEqual([
        [2, 0, 200],
        [2, 1, 201],
      ]);
      const second = await examOf(other, t, { versions: 1, items: 1, attemptLimit: 3 });
      expect((await store.exams.list()).map((e) => e.id)).toEqual([exam.id, second.exam.id]);
      expect(second.exam.attemptLimit).toBe(3);
      expect(await store.exams.get('exm_none')).toBeUndefined();
    });

    it('an exam that cannot be stored whole stores nothing: no exam, no variant', async (ctx) => {
      const { store, user } = await open(ctx);
      const t = await user('Tutor', 'instructor');
      await expect(
        store.exams.create({ title: 'Bad', blueprint: [], versions: 1, seed: 1, createdBy: t }, (examId) => ({
          manifest: [[]],
          // The second variant names a user that does not exist: its insert fails after the exam's.
          variants: [0, 1].map((i) => ({ ...practice(i ? 'usr_nobody' : t), mode: 'exam' as const, examId, examVersion: 1, examItem: i })),
        })),
      ).rejects.toThrow();
      expect(await store.exams.list()).toEqual([]);
      expect(await store.variants.inUnreleasedExam('kl-discrete', practice(t).params)).toBe(false);
    });

    it('a chosen id frozen twice, even by two nodes at once, makes one exam and one conflict', async (ctx) => {
      const { store, other, user } = await open(ctx);
      const t = await user('Tutor', 'instructor');
      const settled = await Promise.allSettled([examOf(store, t, {}, 'exm_chosen'), examOf(other, t, {}, 'exm_chosen')]);
      expect(settled.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      expect(codeOf(failed?.reason)).toBe('conflict');
      await expect(examOf(store, t, {}, 'exm_chosen')).rejects.toMatchObject({ code: 'conflict' });
      expect((await store.exams.list()).map((e) => e.id)).toEqual(['exm_chosen']);
      expect(await store.variants.listByExam('exm_chosen')).toHaveLength(4);
    });

    it('versions go round in turn and are kept; a chosen version is kept too; listings in the order assigned', async (ctx) => {
      const { store, other, user } = await open(ctx);
      const t = await user('Tutor', 'instructor');
      const { exam } = await examOf(store, t, { versions: 3 });
      const { exam: e2 } = await examOf(store, t, { versions: 2 });
      const us: string[] = [];
      for (let i = 0; i < 5; i++) us.push(await user(`s${i}`));
      const got: number[] = [];
      for (const [i, u] of us.entries()) got.push(await (i % 2 ? other : store).exams.assign(exam.id, u, 3));
      expect(got).toEqual([1, 2, 3, 1, 2]);
      expect(await other.exams.assign(exam.id, us[2], 3)).toBe(3);
      expect(await store.exams.assignment(exam.id, us[4])).toBe(2);
      expect(await store.exams.assignment(exam.id, t)).toBeUndefined();
      expect(await other.exams.assignVersion(e2.id, us[0], 2)).toBe(2);
      expect(await store.exams.assignVersion(e2.id, us[0], 1)).toBe(2);
      expect(await store.exams.assign(e2.id, us[0], 2)).toBe(2);
      expect(await store.exams.assignments(exam.id)).toEqual(us.map((u, i) => ({ userId: u, version: got[i] })));
      expect(await other.exams.assignedTo(us[0])).toEqual([
        { examId: exam.id, version: 1 },
        { examId: e2.id, version: 2 },
      ]);
    });

    it('two nodes assigning at once: each student one version, the rotation neither skipping nor doubling', async (ctx) => {
      const { store, other, user } = await open(ctx);
      const t = await user('Tutor', 'instructor');
      const { exam } = await examOf(store, t, { versions: 3 });
      const us: string[] = [];
      for (let i = 0; i < 24; i++) us.push(await user(`s${i}`));
      // Every student asks twice, once through each node, all at once.
      const got = await Promise.all(us.flatMap((u, i) => [(i % 2 ? other : store).exams.assign(exam.id, u, 3), (i % 2 ? store : other).exams.assign(exam.id, u, 3)]));
      for (let i = 0; i < us.length; i++) expect(got[2 * i + 1]).toBe(got[2 * i]);
      const stored = await store.exams.assignments(exam.id);
      expect(stored).toHaveLength(24);
      const count = [1, 2, 3].map((v) => stored.filter((a) => a.version === v).length);
      expect(count).toEqual([8, 8, 8]);
      // In the order assigned, the versions go 1, 2, 3, 1, …
      expect(stored.map((a) => a.version)).toEqual(stored.map((_, i) => (i % 3) + 1));
    });

    it('release stamps the exam once, seen through the other node at once', async (ctx) => {
      const { store, other, user } = await open(ctx);
      const t = await user('Tutor', 'instructor');
      const { exam } = await examOf(store, t);
      const r = await store.exams.release(exam.id);
      expect(Number.isNaN(Date.parse(r?.releasedAt ?? ''))).toBe(false);
      expect((await other.exams.get(exam.id))?.releasedAt).toBe(r?.releasedAt);
      const again = await other.exams.release(exam.id);
      expect(again?.releasedAt).toBe(r?.releasedAt);
      expect(await store.exams.release('exm_none')).toBeUndefined();
    });

    it('the attempt guard refuses a released exam, one not yet open, one closed and an unknown one, storing nothing', async (ctx) => {
      const { store, user } = await open(ctx);
      const t = await user('Tutor', 'instructor');
      const u = await user('Ada');
      const hour = 3_600_000;
      const cases = [
        { code: 'exam_released' },
        { code: 'exam_not_open', more: { opensAt: new Date(Date.now() + hour).toISOString() } },
        { code: 'exam_closed', more: { closesAt: new Date(Date.now() - hour).toISOString() } },
      ];
      for (const c of cases) {
        const { exam, variants } = await examOf(store, t, c.more ?? {});
        if (c.code === 'exam_released') await store.exams.release(exam.id);
        const e = await store.attempts.create({ variantId: variants[0].id, userId: u, answers: {}, result: graded(1) }, { examId: exam.id, attemptLimit: 5 }).catch((x: unknown) => x);
        expect(codeOf(e)).toBe(c.code);
      }
      const { variants } = await examOf(store, t, { opensAt: new Date(Date.now() - hour).toISOString(), closesAt: new Date(Date.now() + hour).toISOString() });
      const missing = await store.attempts.create({ variantId: variants[0].id, userId: u, answers: {}, result: graded(1) }, { examId: 'exm_none', attemptLimit: 5 }).catch((x: unknown) => x);
      expect(codeOf(missing)).toBe('invalid_request');
      expect(await store.attempts.count()).toBe(0);
      // Within its window it is accepted.
      await store.attempts.create({ variantId: variants[0].id, userId: u, answers: {}, result: graded(1) }, { examId: variants[0].examId ?? '', attemptLimit: 5 });
      expect(await store.attempts.count()).toBe(1);
    });

    it('20 concurrent attempts through two nodes against attemptLimit 3 store exactly 3; previews do not count; another student is not held to them', async (ctx) => {
      const { store, other, user } = await open(ctx);
      const t = await user('Tutor', 'instructor');
      const u = await user('Ada');
      const w = await user('Bea');
      const { exam, variants } = await examOf(store, t, { attemptLimit: 3 });
      const guard = { examId: exam.id, attemptLimit: 3 };
      const vid = variants[0].id;
      await store.attempts.create({ variantId: vid, userId: t, answers: {}, result: graded(3), preview: true });
      const settled = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).attempts.create({ variantId: vid, userId: u, answers: { i }, result: graded(1) }, guard)),
      );
      const ok = settled.filter((x) => x.status === 'fulfilled');
      expect(ok).toHaveLength(3);
      expect(settled.filter((x): x is PromiseRejectedResult => x.status === 'rejected').map((x) => codeOf(x.reason))).toEqual(Array(17).fill('attempt_limit'));
      const mine = (await other.attempts.listByVariant(vid)).filter((a) => a.userId === u);
      expect(mine).toHaveLength(3);
      // Each refused attempt left no step row behind.
      const stats = await store.attempts.stepOutcomes({ examId: exam.id });
      expect(stats).toHaveLength(3);
      expect(stats.every((a) => a.steps.length === 3)).toBe(true);
      await store.attempts.create({ variantId: vid, userId: w, answers: {}, result: graded(1) }, guard);
      await store.attempts.create({ variantId: variants[1].id, userId: u, answers: {}, result: graded(1) }, guard);
      expect(await store.attempts.count()).toBe(6);
    });

    it('a release racing attempts: no attempt is stored once release has returned, and every refusal says released', async (ctx) => {
      const { store, other, user } = await open(ctx);
      const t = await user('Tutor', 'instructor');
      const { exam, variants } = await examOf(store, t, { attemptLimit: 1 });
      const us: string[] = [];
      for (let i = 0; i < 40; i++) us.push(await user(`s${i}`));
      const guard = { examId: exam.id, attemptLimit: 1 };
      const tries = us.map((u, i) => (i % 2 ? other : store).attempts.create({ variantId: variants[0].id, userId: u, answers: {}, result: graded(1) }, guard));
      // Released while attempts are in flight (once the first is stored, where any is).
      await Promise.race([Promise.any(tries).catch(() => undefined), new Promise((r) => setTimeout(r, 0))]);
      await other.exams.release(exam.id);
      const atRelease = await store.attempts.count();
      const settled = await Promise.allSettled(tries);
      expect(await store.attempts.count()).toBe(atRelease);
      const refused = settled.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
      expect(refused.map((x) => codeOf(x.reason))).toEqual(Array(refused.length).fill('exam_released'));
      expect(settled.filter((x) => x.status === 'fulfilled')).toHaveLength(atRelease);
      const after = await store.attempts.create({ variantId: variants[0].id, userId: await user('late'), answers: {}, result: graded(1) }, guard).catch((x: unknown) => x);
      expect(codeOf(after)).toBe('exam_released');
    });
  });
}
