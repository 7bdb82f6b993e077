/**
 * Exam items' problem fingerprints in SQLite: written with the exam, looked up when a student asks
 * for a problem statelessly, and recomputed at open for rows missing or made under an older form.
 */
import { FINGERPRINT_FORM, cachedFingerprint, fingerprintOrUndefined } from '../fingerprint.js';
import { writeTransaction, type Db } from './db.js';

export interface ExamFingerprints {
  /** Records an exam variant's fingerprint (problemFingerprint; inside the caller's transaction). */
  add(variantId: string, examId: string, fingerprint: string): void;
  /** Whether this problem (topic and params, in any spelling) is an item of an exam not yet released. */
  inUnreleasedExam(topic: string, params: unknown): boolean;
}

export function examFingerprints(db: Db): ExamFingerprints {
  const insert = db.prepare('INSERT OR REPLACE INTO exam_fingerprints (variant_id, exam_id, fingerprint, form) VALUES (?, ?, ?, ?)');
  const unreleased = db.prepare<[string], { n: number }>(
    `SELECT count(*) AS n FROM exam_fingerprints f JOIN exams e ON e.id = f.exam_id
      WHERE f.fingerprint = ? AND e.released_at IS NULL`,
  );
  return {
    add(variantId, examId, fingerprint) {
      insert.run(variantId, examId, fingerprint, FINGERPRINT_FORM);
    },
    inUnreleasedExam(topic, params) {
      const fp = cachedFingerprint(topic, params);
      return fp !== undefined && (unreleased.get(fp)?.n ?? 0) > 0;
    },
  };
}

/**
 * Fingerprints every exam variant that has none in the current form (a database from before this
 * form, or before fingerprints existed); returns how many were written. Variants are frozen, so
 * their stored params give the same fingerprint a fresh exam would.
 */
export function backfillExamFingerprints(db: Db): number {
  const stale = db
    .prepare<[number], { id: string; exam_id: string; topic: string; params: string }>(
      `SELECT v.id, v.exam_id, v.topic, v.params FROM variants v LEFT JOIN exam_fingerprints f ON f.variant_id = v.id
        WHERE v.exam_id IS NOT NULL AND (f.variant_id IS NULL OR f.form <> ?)`,
    )
    .all(FINGERPRINT_FORM);
  if (stale.length === 0) return 0;
  const insert = db.prepare('INSERT OR REPLACE INTO exam_fingerprints (variant_id, exam_id, fingerprint, form) VALUES (?, ?, ?, ?)');
  let written = 0;
  writeTransaction(db, () => {
    for (const r of stale) {
      // Params today's solver refuses cannot be graded either, so they need no fingerprint.
      const fp = fingerprintOrUndefined(r.topic, JSON.parse(r.params) as unknown);
      if (fp === undefined) continue;
      insert.run(r.id, r.exam_id, fp, FINGERPRINT_FORM);
      written++;
    }
  })();
  return written;
}
