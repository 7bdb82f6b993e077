/** Export items built from real generated problems, and readers for the formats' own syntax. */
import { generateProblem, getTopic, renderPrompt, solveProblem, type Difficulty } from '../../src/engine.js';
import { DEFAULT_TOLERANCE, type Tolerance } from '../../src/core/tolerance.js';
import type { Value } from '../../src/core/values.js';
import type { ExportItem } from '../../src/exports/types.js';

export interface ItemOptions {
  /** Marks of the k-th asked step (default: 1, 2, 1, 2, …). */
  marks?: (k: number) => number;
  /** Tolerance of the k-th asked step (default: the step's own, else the contract default). */
  tolerance?: (k: number) => Tolerance;
}

/**
 * A frozen variant as the store would export it: generate, solve, and take each asked step with
 * its truth. The statement is the prompt without its "Find" list.
 */
export function exportItem(ref: string, seed: number, difficulty: Difficulty, opts: ItemOptions = {}): ExportItem {
  const problem = generateProblem(ref, seed, difficulty);
  return itemFromParams(problem.topic, problem.params, `${problem.topic}-${difficulty}-${seed}`, `seed ${seed}, ${difficulty}`, difficulty, opts);
}

/** The same from given params (every active step asked), e.g. a causal self-attention head. */
export function itemFromParams(
  topicId: string,
  params: object,
  id: string,
  note: string,
  difficulty: Difficulty = 'medium',
  opts: ItemOptions = {},
): ExportItem {
  const topic = getTopic(topicId);
  const solved = solveProblem(topicId, params).steps;
  const values: Record<string, Value> = Object.fromEntries(solved.map((st) => [st.id, st.value]));
  const steps = solved.map((st) => st.id);
  const prompt = renderPrompt(topic, params, values, difficulty, steps);
  const find = prompt.indexOf('**Find**');
  return {
    id,
    title: `${topic.title} (${note})`,
    topic: topicId,
    statement: (find >= 0 ? prompt.slice(0, find) : prompt).trim(),
    steps: steps.map((stepId, k) => ({
      id: stepId,
      label: topic.steps[stepId].label,
      kind: topic.steps[stepId].kind,
      expected: values[stepId],
      marks: opts.marks ? opts.marks(k) : k % 2 === 0 ? 1 : 2,
      tolerance: opts.tolerance ? opts.tolerance(k) : (topic.steps[stepId].tolerance ?? DEFAULT_TOLERANCE),
    })),
  };
}

/**
 * A causal self-attention head (masked −∞ scores). Built from a generated variant with the mask
 * switched on: the generator itself never sets one (a causal first row puts all its weight on one
 * key, which its saturation check rejects).
 */
export function causalSelfAttention(seed = 11): ExportItem {
  const base = generateProblem('self-attention', seed, 'hard');
  return itemFromParams('self-attention', { ...base.params, causal: true }, `self-attention-causal-${seed}`, `seed ${seed}, causal`, 'hard');
}

/** A realistic mix: causal self-attention (masked entries), Bayes (a label), KL (scalars), PE (matrices). */
export function sampleItems(): ExportItem[] {
  return [
    causalSelfAttention(),
    exportItem('bayes-classification', 3, 'medium', { tolerance: () => ({ decimals: 3 }) }),
    exportItem('kl-discrete', 5, 'easy'),
    exportItem('positional-encoding', 7, 'medium', { tolerance: (k) => (k === 1 ? { decimals: 3 } : DEFAULT_TOLERANCE) }),
    exportItem('kl-gaussian', 2, 'hard', { marks: () => 1.5 }),
  ];
}

/** One true element of a step, in reading order, as the exporters lay them out. */
export interface Truth {
  item: ExportItem;
  step: ExportItem['steps'][number];
  value: number | string;
}

/** Every element of every step of the item, in reading order (masked −∞ entries included). */
export function truths(item: ExportItem): Truth[] {
  return item.steps.flatMap((step) => {
    const v = step.expected;
    const flat: (number | string)[] = typeof v === 'string' || typeof v === 'number' ? [v] : (v as (number | number[])[]).flat();
    return flat.map((value) => ({ item, step, value }));
  });
}

export const isMasked = (t: Truth): boolean => t.value === -Infinity;

/** HTML character references and the five predefined entities, decoded (as PHP's html_entity_decode does). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_m, e: string) => {
    const lower = e.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? _m;
  });
}

/** Every node under `key` anywhere in a fast-xml-parser tree. */
export function findAll(node: unknown, key: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      n.forEach(walk);
      return;
    }
    if (n === null || typeof n !== 'object') return;
    for (const [k, v] of Object.entries(n)) {
      if (k === key) {
        for (const x of Array.isArray(v) ? v : [v]) out.push((typeof x === 'object' && x !== null ? x : { '#text': x }) as Record<string, unknown>);
      }
      walk(v);
    }
  };
  walk(node);
  return out;
}

/** Close to within a relative 1e-9 (absolute near 0). */
export function closeRel(a: number, b: number, rel = 1e-9): boolean {
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));
}

/** A Cloze sub-answer as Moodle's parser reads it: weight, type, and the alternatives' text. */
export interface ClozeAnswer {
  weight: number;
  type: string;
  /** What is between the type and the closing brace, raw. */
  answer: string;
}

// Moodle's qtype_multianswer regular expressions (question/type/multianswer/questiontype.php),
// ported: an answer ends at a `~`, `#` or `}` not preceded by `\`, `&` or `&amp;`.
const ALT_FRACTION = String.raw`=|%(-?[0-9]+(?:[.,][0-9]*)?)%`;
const ALT_ANSWER = String.raw`.+?(?<!\\|&|&amp;)(?=[~#}]|$)`;
const ALT_FEEDBACK = String.raw`.*?(?<!\\)(?=[~}]|$)`;
const ALT = `(${ALT_FRACTION})?(${ALT_ANSWER})(#(${ALT_FEEDBACK}))?`;
const ALT_NOGROUPS = `(?:${ALT_FRACTION.replace('(-?', '(?:-?')})?(?:${ALT_ANSWER})(?:#(?:${ALT_FEEDBACK}))?`;
const TYPES = 'NUMERICAL|NM|MULTICHOICE|MC|MULTICHOICE_V|MCV|MULTICHOICE_H|MCH|SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC|MULTIRESPONSE|MR';
const ANSWER = String.raw`\{([0-9]*):(${TYPES}):(${ALT_NOGROUPS}(?:~${ALT_NOGROUPS})*)\}`;

/**
 * The sub-answers of a Cloze question text, found the way Moodle's qtype_multianswer does: the
 * first match of its answer regex, replaced by a placeholder, again and again.
 */
export function clozeSubAnswers(html: string): ClozeAnswer[] {
  const out: ClozeAnswer[] = [];
  let text = html;
  const re = new RegExp(ANSWER, 's');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ weight: m[1] === '' ? 1 : Number(m[1]), type: m[2], answer: m[3] });
    text = text.replace(m[0], `{#${out.length}}`);
  }
  return out;
}

/** One alternative of a sub-answer as Moodle stores it. */
export interface ClozeAlternative {
  fraction: number;
  /** The raw answer text (a NUMERICAL alternative is matched raw). */
  raw: string;
  /** The answer as stored: entities decoded, then `\}` → `}`, then `\#` → `#`. */
  stored: string;
}

/** The alternatives of a sub-answer, as Moodle's extract loop reads them. */
export function clozeAlternatives(answer: string): ClozeAlternative[] {
  const out: ClozeAlternative[] = [];
  let rest = answer;
  const re = new RegExp(`~?${ALT}`, 's');
  for (let m = re.exec(rest); m && rest !== ''; m = re.exec(rest)) {
    const raw = m[3];
    const stored = decodeEntities(raw).split('\\}').join('}').split('\\#').join('#');
    out.push({ fraction: m[1] === '=' ? 1 : m[2] !== undefined ? Number(m[2].replace(',', '.')) / 100 : 0, raw, stored });
    rest = rest.slice(rest.indexOf(m[0]) + m[0].length);
  }
  return out;
}

/** A NUMERICAL alternative "=value:tolerance", checked against Moodle's number syntax. */
export function readNumerical(answer: string): { value: number; tolerance: number; valueText: string; toleranceText: string } {
  const alts = clozeAlternatives(answer);
  if (alts.length !== 1 || alts[0].fraction !== 1) throw new Error(`not one correct NUMERICAL alternative: ${answer}`);
  const num = '-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?';
  const m = new RegExp(`^(${num}):(${num})$`).exec(alts[0].raw);
  if (!m) throw new Error(`not a NUMERICAL answer: ${answer}`);
  return { value: Number(m[1]), tolerance: Number(m[2]), valueText: m[1], toleranceText: m[2] };
}

/** A SHORTANSWER sub-answer's one correct alternative, as Moodle stores it. */
export function readShortAnswer(answer: string): string {
  const alts = clozeAlternatives(answer);
  if (alts.length !== 1 || alts[0].fraction !== 1) throw new Error(`not one correct alternative: ${answer}`);
  return alts[0].stored;
}

/**
 * Moodle's short-answer match (qtype_shortanswer_question::compare_string_with_wildcard): the
 * stored answer split at runs of `*` not after `\`, each piece with `\*` as a literal `*`, joined
 * by `.*`, matched against the whole trimmed response.
 */
export function shortAnswerMatches(stored: string, response: string, ignoreCase = true): boolean {
  const pieces = stored.split(/(?<!\\)\*+/).map((p) => p.split('\\*').join('*').replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
  return new RegExp(`^${pieces.join('.*')}$`, `su${ignoreCase ? 'i' : ''}`).test(response.trim());
}

/** Moodle's NUMERICAL (and QTI's absolute qti-equal) rule at `value`: answer − t ≤ value ≤ answer + t. */
export function lmsAccepts(answer: number, tolerance: number, value: number): boolean {
  return answer - tolerance <= value && value <= answer + tolerance;
}

/** The TeX of each $$…$$ (display) and $…$ (inline) segment of a statement. */
export function mathSegments(statement: string): { tex: string; display: boolean }[] {
  return [...statement.matchAll(/\$\$([\s\S]+?)\$\$|\$([^$\n]+?)\$/g)].map((m) =>
    m[1] !== undefined ? { tex: m[1].trim(), display: true } : { tex: m[2].trim(), display: false },
  );
}

/** HTML without its tags, references decoded: the text a reader sees. */
export function visibleText(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, ''));
}

export function gcdOf(xs: number[]): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  return xs.reduce((g, x) => gcd(g, x), 0);
}
