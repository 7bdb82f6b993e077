/** An exam to print: three forms of a KL-divergence item and a self-attention item, made through the service. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { createExam } from '../../src/service/exams.js';
import type { Exam, Variant } from '../../src/store/types.js';

export async function printFixture(store = SqliteStore.open({ file: ':memory:' }), createdBy?: string): Promise<{ store: SqliteStore; exam: Exam; variants: Variant[] }> {
  const by = createdBy ?? (await store.users.create({ name: 'Instructor', role: 'instructor' })).id;
  const { exam, variants } = await createExam(store, {
    title: 'Midterm',
    blueprint: [
      { topic: 'kl-discrete', count: 1, difficulty: 'easy' },
      { topic: 'self-attention', count: 1, difficulty: 'easy' },
    ],
    versions: 3,
    seed: 2026,
    createdBy: by,
  });
  return { store, exam, variants };
}

/** KL(P‖Q) by hand, in the base the params name (natural log by default). */
export function klByHand(p: number[], q: number[], base: string = 'e'): number {
  const log = base === '2' ? Math.log2 : base === '10' ? Math.log10 : Math.log;
  return p.reduce((s, pi, i) => (pi === 0 ? s : s + pi * log(pi / q[i])), 0);
}

export const havePoppler = existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdfimages');

/** pdftotext's text of each page (pages split at form feeds). */
export function pdfPages(file: string): string[] {
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  const pages = text.split('\f');
  if (pages[pages.length - 1].trim() === '') pages.pop();
  // KaTeX's zero-width spaces and struts come out as U+200B: not text anyone reads.
  return pages.map((p) => p.replace(/\u200b/g, ''));
}

/** The number of images on each page, from `pdfimages -list` (page numbers 1-based). */
export function imagesPerPage(file: string): Map<number, number> {
  const out = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' });
  const counts = new Map<number, number>();
  for (const line of out.split('\n').slice(2)) {
    const m = /^\s*(\d+)\s+\d+\s+image\b/.exec(line);
    if (m) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
  }
  return counts;
}

/** Every number written in a text (a Unicode minus counts as a minus sign). */
export const numbersIn = (text: string): number[] => [...text.replace(/\u2212/g, '-').matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
