/**
 * How a conceptual item is shown for one seed: the shuffled order of its options, entries or
 * matching columns (the problem's "params"), the Markdown prompt with lettered options, and reading
 * a student's answer against that presentation. Shuffles use the generators' seeded Rng, so a seed
 * shows the same order on every machine and two exam versions differ.
 */
import { StepwiseError } from '../core/errors.js';
import { DEFAULT_TOLERANCE, describeTolerance, type Tolerance } from '../core/tolerance.js';
import { Rng } from '../generators/rng.js';
import { norm, type ConceptItem } from './concepts.js';

/** The presentation: ids in the order shown. Matching rights: pair ids, extra rights as `~1`, `~2`, …. */
export interface ConceptParams {
  options?: string[];
  order?: string[];
  lefts?: string[];
  rights?: string[];
}

/** A numeric item's tolerance: its own, else the contract default. */
export const conceptTolerance = (item: ConceptItem): Tolerance => item.tolerance ?? DEFAULT_TOLERANCE;

export const letter = (i: number): string => String.fromCharCode(65 + i);
const extraKey = (i: number): string => `~${i + 1}`;

/** Every right-hand key a matching item has, pairs first, in the written order. */
export function rightKeys(item: ConceptItem): string[] {
  return [...item.pairs!.map((p) => p.id), ...(item.extraRights ?? []).map((_, i) => extraKey(i))];
}

export function rightText(item: ConceptItem, key: string): string {
  return key.startsWith('~') ? item.extraRights![Number(key.slice(1)) - 1] : item.pairs!.find((p) => p.id === key)!.right;
}

export function presentConcept(item: ConceptItem, seed: number): ConceptParams {
  const rng = new Rng(seed);
  switch (item.kind) {
    case 'single':
    case 'multiple': {
      const ids = item.options!.map((o) => o.id);
      return { options: item.pinOrder ? ids : rng.shuffle(ids) };
    }
    case 'ordering': {
      const ids = item.order!.map((o) => o.id);
      const shown = rng.shuffle([...ids]);
      // Shown in the right order already would give the answer away: rotate by one instead.
      if (shown.every((id, i) => id === ids[i])) shown.push(shown.shift()!);
      return { order: shown };
    }
    case 'matching': {
      const lefts = item.pairs!.map((p) => p.id);
      const rights = rightKeys(item);
      return item.pinOrder ? { lefts, rights } : { lefts: rng.shuffle(lefts), rights: rng.shuffle(rights) };
    }
    default:
      return {};
  }
}

/** Checks a presentation sent back by a caller: each list a permutation of the item's own ids. */
export function checkConceptParams(item: ConceptItem, raw: unknown): ConceptParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new StepwiseError('invalid_params', `params must be an object (the presentation of ${item.id})`, 'params');
  }
  const p = raw as Record<string, unknown>;
  const expected: Record<string, string[]> =
    item.kind === 'single' || item.kind === 'multiple'
      ? { options: item.options!.map((o) => o.id) }
      : item.kind === 'ordering'
        ? { order: item.order!.map((o) => o.id) }
        : item.kind === 'matching'
          ? { lefts: item.pairs!.map((x) => x.id), rights: rightKeys(item) }
          : {};
  for (const k of Object.keys(p)) {
    if (!Object.hasOwn(expected, k)) throw new StepwiseError('invalid_params', `params.${k.slice(0, 64)} is not part of a ${item.kind} item's presentation`, `params.${k.slice(0, 64)}`);
  }
  const out: ConceptParams = {};
  for (const [k, ids] of Object.entries(expected)) {
    const v = p[k];
    const ok = Array.isArray(v) && v.length === ids.length && v.every((x) => typeof x === 'string' && ids.includes(x)) && new Set(v).size === v.length;
    if (!ok) throw new StepwiseError('invalid_params', `params.${k} must list each of ${ids.join(', ')} once, in the order shown`, `params.${k}`);
    (out as Record<string, string[]>)[k] = [...(v as string[])];
  }
  return out;
}

/** The prompt as Markdown: the item's text, then its options lettered in the order shown. */
export function conceptPrompt(item: ConceptItem, p: ConceptParams): string {
  const lines = [item.prompt.trim(), ''];
  switch (item.kind) {
    case 'single':
    case 'multiple':
      p.options!.forEach((id, i) => lines.push(`- **${letter(i)}.** ${item.options!.find((o) => o.id === id)!.text}`));
      lines.push('', item.kind === 'single' ? 'Choose one option (its letter).' : 'Choose every correct option (letters, e.g. A, C). Wrong choices cost marks, never below zero.');
      break;
    case 'ordering':
      p.order!.forEach((id, i) => lines.push(`- **${letter(i)}.** ${item.order!.find((o) => o.id === id)!.text}`));
      lines.push('', 'Put them in order, first to last (letters, e.g. C, A, B).');
      break;
    case 'matching':
      p.lefts!.forEach((id, i) => lines.push(`${i + 1}. ${item.pairs!.find((x) => x.id === id)!.left}`));
      lines.push('');
      p.rights!.forEach((key, i) => lines.push(`- **${letter(i)}.** ${rightText(item, key)}`));
      lines.push('', `Match each numbered entry to one lettered entry (e.g. 1-B, 2-A)${(item.extraRights?.length ?? 0) > 0 ? '; some letters are not used' : ''}.`);
      break;
    case 'numeric':
      lines.push(`Give a number. ${describeTolerance(conceptTolerance(item))}`);
      break;
    case 'text':
      lines.push('Answer in a word or a short phrase.');
      break;
  }
  return `${lines.join('\n').trim()}\n`;
}

export type ConceptRead =
  | { ok: true; single: string }
  | { ok: true; set: string[] }
  | { ok: true; sequence: string[] }
  | { ok: true; matches: Map<string, string> }
  | { ok: true; number: number }
  | { ok: true; text: string }
  | { ok: false; reason: string };

const MAX_ANSWER_CHARS = 2000;

/** A list answer: an array, or a string split on commas, semicolons or spaces. */
function listOf(raw: unknown): string[] | null {
  if (Array.isArray(raw)) return raw.every((x) => typeof x === 'string') ? (raw as string[]).map((x) => x.trim()).filter((x) => x !== '') : null;
  if (typeof raw === 'string') return raw.split(/[\s,;]+/).filter((x) => x !== '');
  return null;
}

/** "ACD" typed without separators: its letters, when it is not an id and every letter is shown. */
function spread(tokens: string[], shown: readonly string[]): string[] {
  return tokens.flatMap((t) =>
    t.length > 1 && !shown.includes(t) && /^[a-z]+$/i.test(t) && [...t.toUpperCase()].every((c) => c.charCodeAt(0) - 65 < shown.length) ? [...t] : [t],
  );
}

/** One letter (A–Z, either case) is the option shown at that place; anything else an option id. */
function pick(token: string, shown: readonly string[], what: string): string | { reason: string } {
  if (/^[a-z]$/i.test(token)) {
    const i = token.toUpperCase().charCodeAt(0) - 65;
    return i < shown.length ? shown[i] : { reason: `there is no ${what} ${token.toUpperCase()} (${what}s A–${letter(shown.length - 1)})` };
  }
  return shown.includes(token) ? token : { reason: `"${token.slice(0, 40)}" is not one of the ${what}s (give its letter)` };
}

export function readConceptAnswer(item: ConceptItem, p: ConceptParams, raw: unknown): ConceptRead {
  if (typeof raw === 'string' && raw.length > MAX_ANSWER_CHARS) return { ok: false, reason: `the answer is longer than ${MAX_ANSWER_CHARS} characters` };
  switch (item.kind) {
    case 'single': {
      if (typeof raw !== 'string') return { ok: false, reason: 'give one option letter' };
      const r = pick(raw.trim(), p.options!, 'option');
      return typeof r === 'string' ? { ok: true, single: r } : { ok: false, ...r };
    }
    case 'multiple': {
      const listed = listOf(raw);
      if (!listed) return { ok: false, reason: 'give option letters, as a list or separated by commas' };
      const tokens = spread(listed, p.options!);
      const chosen = new Set<string>();
      for (const t of tokens) {
        const r = pick(t, p.options!, 'option');
        if (typeof r !== 'string') return { ok: false, ...r };
        chosen.add(r);
      }
      return { ok: true, set: [...chosen] };
    }
    case 'ordering': {
      const listed = listOf(raw);
      if (!listed) return { ok: false, reason: 'give the entries\' letters in order, as a list or separated by commas' };
      const tokens = spread(listed, p.order!);
      const seq: string[] = [];
      for (const t of tokens) {
        const r = pick(t, p.order!, 'entry');
        if (typeof r !== 'string') return { ok: false, ...r };
        if (seq.includes(r)) return { ok: false, reason: `entry ${letter(p.order!.indexOf(r))} is placed twice` };
        seq.push(r);
      }
      if (seq.length !== p.order!.length) return { ok: false, reason: `place all ${p.order!.length} entries (${seq.length} given)` };
      return { ok: true, sequence: seq };
    }
    case 'matching':
      return readMatches(item, p, raw);
    case 'numeric': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
      return Number.isFinite(n) ? { ok: true, number: n } : { ok: false, reason: 'give one finite number' };
    }
    case 'text':
      return typeof raw === 'string' ? { ok: true, text: norm(raw) } : { ok: false, reason: 'give a word or a short phrase' };
  }
}

/** Matching: an object left → right, or a string "1-B, 2-A"; lefts by number or id, rights by letter or text. */
function readMatches(item: ConceptItem, p: ConceptParams, raw: unknown): ConceptRead {
  let entries: [string, unknown][];
  if (typeof raw === 'string') {
    entries = [];
    for (const part of raw.split(/[,;]+|\s+(?=\d)/).map((s) => s.trim()).filter((s) => s !== '')) {
      const m = /^(\d+)\s*(?:[-:=>→]+\s*)?([a-z])$/i.exec(part);
      if (!m) return { ok: false, reason: `cannot read "${part.slice(0, 40)}": write pairs like 1-B` };
      entries.push([m[1], m[2]]);
    }
  } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    entries = Object.entries(raw);
  } else {
    return { ok: false, reason: 'give an object from each left entry to a right one, or pairs like 1-B, 2-A' };
  }
  const matches = new Map<string, string>();
  for (const [k, v] of entries) {
    const left = /^\d+$/.test(k) ? p.lefts![Number(k) - 1] : p.lefts!.includes(k) ? k : undefined;
    if (left === undefined) return { ok: false, reason: `"${k.slice(0, 40)}" is not one of the numbered entries 1–${p.lefts!.length}` };
    if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) continue; // left unmatched
    if (typeof v !== 'string') return { ok: false, reason: `the match for ${k.slice(0, 40)} must be a letter` };
    const t = v.trim();
    let right: string | undefined;
    if (/^[a-z]$/i.test(t)) right = p.rights![t.toUpperCase().charCodeAt(0) - 65];
    else right = p.rights!.find((key) => key === t || norm(rightText(item, key)) === norm(t));
    if (right === undefined) return { ok: false, reason: `"${t.slice(0, 40)}" is not one of the lettered entries A–${letter(p.rights!.length - 1)}` };
    matches.set(left, right);
  }
  return { ok: true, matches };
}
