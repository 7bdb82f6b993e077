/**
 * Exam items' problem fingerprints in PostgreSQL: written with the exam (pgExams.create), looked up
 * when a student asks for a problem statelessly, and recomputed at open for rows missing or made
 * under an older form (as the SQLite store does at open).
 */
import { FINGERPRINT_FORM, cachedFingerprint, fingerprintOrUndefined } from '../fingerprint.js';
import { transaction, type Pool, type Sql } from './db.js';
import { insertRows } from './insert-rows.js';

/** Whether this problem (topic and params, in any spelling) is an item of an exam not yet released. */
export async function inUnreleasedExamPg(sql: Sql, topic: string, params: unknown): Promise<boolean> {
  const fp = cachedFingerprint(topic, params);
  if (fp === undefined) return false;
  const rows = await sql.query(
    `SELECT 1 FROM exam_fingerprints f JOIN exams e ON e.id = f.exam_id
      WHERE f.fingerprint = $1 AND e.released_at IS NULL LIMIT 1`,
    [fp],
  );
  return rows.length > 0;
}

/** Records exam variants' fingerprints (problemFingerprint), inside the caller's transaction. */
export async function addExamFingerprintsPg(sql: Sql, examId: string, prints: { variantId: string; fingerprint: string }[]): Promise<void> {
  await insertRows(
    sql,
    'INSERT INTO exam_fingerprints (variant_id, exam_id, fingerprint, form)',
    prints.map((p) => [p.variantId, examId, p.fingerprint, FINGERPRINT_FORM]),
    ' ON CONFLICT (variant_id) DO UPDATE SET exam_id = EXCLUDED.exam_id, fingerprint = EXCLUDED.fingerprint, form = EXCLUDED.form',
  );
}

/**
 * Fingerprints every exam variant that has none in the current form; returns how many were
 * written. A fresh schema filled only by this store needs none, but a database copied from SQLite
 * (`stepwise db copy`) or made under an older FINGERPRINT_FORM does: call it when the store opens.
 * Variants are frozen, so their stored params give the fingerprint a fresh exam would. Idempotent,
 * so nodes starting at once may each run it.
 */
export async function backfillExamFingerprintsPg(pool: Pool): Promise<number> {
  return transaction(pool, async (sql) => {
    const stale = await sql.query<{ id: string; exam_id: string; topic: string; params: string }>(
      `SELECT v.id, v.exam_id, v.topic, v.params FROM variants v LEFT JOIN exam_fingerprints f ON f.variant_id = v.id
        WHERE v.exam_id IS NOT NULL AND (f.variant_id IS NULL OR f.form <> $1)`,
      [FINGERPRINT_FORM],
    );
    const byExam = new Map<string, { variantId: string; fingerprint: string }[]>();
    for (const r of stale) {
      // Params today's solver refuses cannot be graded either, so they need no fingerprint.
      const fingerprint = fingerprintOrUndefined(r.topic, JSON.parse(r.params) as unknown);
      if (fingerprint === undefined) continue;
      byExam.set(r.exam_id, [...(byExam.get(r.exam_id) ?? []), { variantId: r.id, fingerprint }]);
    }
    let written = 0;
    for (const [examId, prints] of byExam) {
      await addExamFingerprintsPg(sql, examId, prints);
      written += prints.length;
    }
    return written;
  });
}
