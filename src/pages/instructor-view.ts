/**
 * What the instructor pages share: a problem shown as a student sees it without storing it (a
 * variant that exists only for this page: no id in the store, no practice variant a student could
 * open), dates in words and an exam's state.
 */
import type { Problem } from '../engine.js';
import type { Exam, Variant } from '../store/types.js';
import type { ArtefactFigures } from './artefact-figures.js';
import { questionView } from './question.js';

/** A problem as a variant that exists only for a page (never stored). */
export const unsavedVariant = (p: Problem, prefix: string): Variant => ({ ...p, id: `${prefix}preview`, mode: 'exam', createdBy: '', createdAt: '' });

/** The problem as an exam item is shown (read-only: no form, no hints), for a preview; `figures`: a question about model runs' pictures. */
export async function previewItem(p: Problem, prefix: string, hl = 3, figures?: ArtefactFigures) {
  return questionView(unsavedVariant(p, prefix), figures ? { figures } : {}, { mode: 'exam', prefix, hl });
}

export const utc = (iso: string | undefined): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '');

/** open, closed or released (with "opens …" while it has not opened yet). */
export function examState(e: Exam, at = Date.now()): { state: 'open' | 'closed' | 'released'; detail: string } {
  if (e.releasedAt) return { state: 'released', detail: `answers released ${utc(e.releasedAt)}` };
  if (e.closesAt && at >= Date.parse(e.closesAt)) return { state: 'closed', detail: `closed ${utc(e.closesAt)}; not released` };
  if (e.opensAt && at < Date.parse(e.opensAt)) return { state: 'open', detail: `opens ${utc(e.opensAt)}${e.closesAt ? `, closes ${utc(e.closesAt)}` : ''}` };
  return { state: 'open', detail: e.closesAt ? `until ${utc(e.closesAt)}` : 'no close time' };
}

/** Form letters: A, B, …, Z, AA, AB … */
export function formLetter(version: number): string {
  let n = version;
  let s = '';
  while (n > 0) {
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

