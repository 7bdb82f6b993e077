/** Conceptual items as GIFT questions (concepts.ts says which; ordering has no GIFT form). */
import { formatAnswer, formatTolerance, markdownToHtml } from './common.js';
import { choiceWeight, percent, plain } from './concepts.js';
import type { ExportItem } from './types.js';

/**
 * The GIFT question of a conceptual item, or null when GIFT cannot hold it (ordering). `esc` is
 * GIFT's escaping, `answerText` its short-answer escaping (both from gift.ts).
 */
export function giftConceptQuestion(item: ExportItem, esc: (s: string) => string, answerText: (s: string) => string): string | null {
  const c = item.concept!;
  const html = (md: string) => esc(markdownToHtml(md, { math: 'tex' }));
  const fb = (why: string) => `#${html(why)}`;
  let answers: string;
  switch (c.kind) {
    case 'single':
      answers = c.options!.map((o) => `${o.correct ? '=' : '~'}${html(o.text)}${fb(o.why)}`).join(' ');
      break;
    case 'multiple':
      answers = c.options!.map((o) => `~%${percent(choiceWeight(c, o.correct))}%${html(o.text)}${fb(o.why)}`).join(' ');
      break;
    case 'matching':
      // GIFT matching takes plain pairs: no extra right-hand entries, no feedback.
      answers = c.pairs!.map((x) => `=${esc(plain(x.left))} -> ${esc(plain(x.right))}`).join(' ');
      break;
    case 'numeric': {
      const t = formatTolerance(c.margin!);
      answers = `#=${formatAnswer(c.answer!, t)}:${t}${(c.wrong ?? []).map((w) => ` =%0%${formatAnswer(w.value!, t)}:${t}${fb(w.why)}`).join('')}`;
      break;
    }
    case 'text':
      if ((c.accept ?? []).length === 0) return null;
      answers = c.accept!.map((a) => `=%100%${answerText(a)}`).join(' ');
      break;
    default:
      return null;
  }
  return `::${esc(item.title)}::[html]${html(c.prompt)}{${answers} ####${html(c.explanation)}}`;
}


