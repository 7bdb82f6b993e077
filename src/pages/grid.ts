/**
 * A vector or matrix step's grid of cells, as HTML. Written here rather than in the item template
 * because a question page has dozens of cells and Handlebars' per-cell lookups were a tenth of a
 * page's CPU time; an empty grid (every fresh question page) is the same for every variant of a
 * shape, so it is made once and kept as bytes.
 */
import { Lru } from '../core/lru.js';
import { escapeHtml } from '../render/html.js';
import type { StepShape } from './answers-form.js';
import { HtmlChunk } from './render.js';

const empty = new Lru<string, HtmlChunk>(2_000);

/** `values[i][j]`: what the student typed in each cell (none: an empty grid); `disabled` while the step is typed as text. */
export function gridCells(prefix: string, n: number, s: StepShape, values: readonly (readonly string[])[] | undefined, disabled: boolean): HtmlChunk | string {
  const blank = values === undefined || values.every((r) => r.every((x) => x === ''));
  const key = `${prefix}\n${n}\n${s.id}\n${s.kind}\n${s.rows}\n${s.cols}\n${disabled}`;
  if (blank) {
    const hit = empty.get(key);
    if (hit !== undefined) return hit;
  }
  const id = escapeHtml(s.id);
  let html = '';
  for (let i = 0; i < s.rows; i++) {
    for (let j = 0; j < s.cols; j++) {
      const vector = s.kind === 'vector';
      const name = vector ? `answers[${id}][${j}]` : `answers[${id}][${i}][${j}]`;
      const label = vector ? `${id}, entry ${j + 1}` : `${id}, row ${i + 1}, column ${j + 1}`;
      const value = blank ? '' : escapeHtml(values[i]?.[j] ?? '');
      html += `<input type="text" class="cell" id="${escapeHtml(prefix)}cell-${n}-${i}-${j}" name="${name}" value="${value}" aria-label="${label}" data-row="${i}" data-col="${j}" autocomplete="off" spellcheck="false"${disabled ? ' disabled' : ''}>`;
    }
  }
  if (!blank) return html;
  const chunk = new HtmlChunk(html);
  empty.set(key, chunk);
  return chunk;
}
