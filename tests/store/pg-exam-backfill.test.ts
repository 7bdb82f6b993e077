/**
 * PostgreSQL only: rows that did not come through this store (a copy from SQLite, an older
 * fingerprint form) — exam fingerprints are made or remade by backfillExamFingerprintsPg, and step
 * rows or results without outcome notes read as the SQLite store reads them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINGERPRINT_FORM, problemFingerprint } from '../../src/store/fingerprint.js';
import { migratePg, openPool } from '../../src/store/pg/db.js';
import { backfillExamFingerprintsPg } from '../../src/store/pg/fingerprints.js';
import { pgAttempts, pgVariants } from '../../src/store/pg/variants.js';
import { freshDatabase, startPgServer, type PgServer } from '../pg-server.js';

let server: PgServer | undefined;
beforeAll(async () => {
  server = await startPgServer();
}, 60_000);
afterAll(() => server?.stop());

const T = '2026-01-01T00:00:00.000Z';
const KL = JSON.stringify({ p: [0.5, 0.5], q: [0.25, 0.75] });

async function copiedRows() {
  const pool = openPool({ url: await freshDatabase(server?.url ?? '') });
  await migratePg(pool);
  const q = (text: string, values: unknown[] = []) => pool.query(text, values);
  await q(`INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'Ada', 'instructor', $1), ('u2', 'Sam', 'student', $1)`, [T]);
  await q(`INSERT INTO exams (id, title, blueprint, versions, seed, manifest, created_by, created_at) VALUES ('e1', 'E', '[]', 1, 1, '[[]]', 'u1', $1)`, [T]);
  const variant = (id: string, params: string, item: number) =>
    q(
      `INSERT INTO variants (id, topic, seed, difficulty, params, steps, prompt, mode, exam_id, exam_version, exam_item, created_by, created_at)
       VALUES ($1, 'kl-discrete', 1, 'easy', $2, '["kl"]', 'p', 'exam', 'e1', 0, $3, 'u1', $4)`,
      [id, params, item, T],
    );
  await variant('v1', KL, 0);
  await variant('v2', JSON.stringify({ p: [0.5, 0.5], q: [0.75, 0.25] }), 1);
  await variant('v3', JSON.stringify({ p: 'no longer valid' }), 2);
  return { pool, q };
}

describe('PostgreSQL: rows from elsewhere', () => {
  it('backfillExamFingerprintsPg fingerprints exam variants missing one or made under another form, once', async (ctx) => {
    if (!server) return ctx.skip();
    const { pool, q } = await copiedRows();
    try {
      const variants = pgVariants(pool);
      // v2's fingerprint is stale (an older form, a hash that matches nothing now); v1 has none.
      await q(`INSERT INTO exam_fingerprints (variant_id, exam_id, fingerprint, form) VALUES ('v2', 'e1', 'old', $1)`, [FINGERPRINT_FORM - 1]);
      expect(await variants.inUnreleasedExam('kl-discrete', JSON.parse(KL))).toBe(false);
      // v3's params no solver accepts today: no fingerprint, and none asked again and again.
      expect(await backfillExamFingerprintsPg(pool)).toBe(2);
      expect(await backfillExamFingerprintsPg(pool)).toBe(0);
      expect(await variants.inUnreleasedExam('kl-discrete', { q: [0.25, 0.75], p: [0.5, 0.5] })).toBe(true);
      expect(await variants.inUnreleasedExam('kl-discrete', { p: [0.5, 0.5], q: [0.75, 0.25] })).toBe(true);
      const rows = (await q('SELECT variant_id, fingerprint, form FROM exam_fingerprints ORDER BY variant_id')).rows;
      expect(rows).toEqual([
        { variant_id: 'v1', fingerprint: problemFingerprint('kl-discrete', JSON.parse(KL)), form: FINGERPRINT_FORM },
        { variant_id: 'v2', fingerprint: problemFingerprint('kl-discrete', { p: [0.5, 0.5], q: [0.75, 0.25] }), form: FINGERPRINT_FORM },
      ]);
    } finally {
      await pool.end();
    }
  });

  it('a result and step rows without outcome notes read with notes derived as on SQLite', async (ctx) => {
    if (!server) return ctx.skip();
    const { pool, q } = await copiedRows();
    try {
      const result = {
        topic: 'kl-discrete',
        score: 1,
        maxScore: 3,
        steps: [
          { id: 'kl', label: 'KL', status: 'incorrect', credit: 0, marks: 1, expected: 1, feedback: '', misconception: { id: 'swap', feedback: '' } },
          { id: 'b', label: 'b', status: 'missing', credit: 1, marks: 1, expected: 1, feedback: '', note: 'implied' },
          { id: 'c', label: 'c', status: 'correct', credit: 1, marks: 1, expected: 1, feedback: '' },
        ],
      };
      await q(`INSERT INTO attempts (id, variant_id, user_id, answers, result, score, max_score, created_at) VALUES ('a1', 'v1', 'u2', '{}', $1, 1, 3, $2)`, [JSON.stringify(result), T]);
      await q(`INSERT INTO attempt_steps (attempt_id, step_id, status, credit, marks, misconception, note) VALUES
        ('a1', 'kl', 'incorrect', 0, 1, 'swap', NULL), ('a1', 'b', 'missing', 1, 1, NULL, 'implied'), ('a1', 'c', 'invalid', 0, 1, NULL, NULL)`);
      const attempts = pgAttempts(pool);
      expect((await attempts.get('a1'))?.result.steps.map((s) => s.outcome)).toEqual(['misconception:swap', 'missing:implied', 'correct']);
      const [stats] = await attempts.stepOutcomes({ examId: 'e1' });
      expect(stats.steps.map((s) => [s.stepId, s.outcome])).toEqual([
        ['kl', 'misconception:swap'],
        ['b', 'missing:implied'],
        ['c', 'invalid:syntax'],
      ]);
    } finally {
      await pool.end();
    }
  });
});
