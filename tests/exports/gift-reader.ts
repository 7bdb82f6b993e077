/**
 * Moodle's GIFT importer (question/format/gift/format.php), ported for the tests: questions split
 * at blank lines, `//` comment lines dropped, escaped reserved characters turned into placeholders
 * before parsing and back after, `$CATEGORY:` blocks, `::name::`, the answer between the first `{`
 * and `}`, and the answer read as Moodle reads a numerical or short answer.
 */
export interface GiftQuestion {
  /** The category in force (the last `$CATEGORY:` before it). */
  category?: string;
  title: string;
  /** The question text, [format] included. */
  text: string;
  /** What is between the braces, unescaped. */
  answer: string;
  /** What is between the braces, placeholders kept (as Moodle parses it). */
  answerRaw: string;
  /** Physical lines the question took. */
  lines: number;
}

export interface GiftFile {
  /** Every `$CATEGORY:` in order. */
  categories: string[];
  comments: string[];
  questions: GiftQuestion[];
}

const RESERVED: [string, string][] = [
  [':', '&&058;'],
  ['#', '&&035;'],
  ['=', '&&061;'],
  ['{', '&&123;'],
  ['}', '&&125;'],
  ['~', '&&126;'],
  ['n', '&&010'],
];

export function escapedPre(s: string): string {
  let out = s.split('\\\\').join('&&092;');
  for (const [c, ph] of RESERVED) out = out.split(`\\${c}`).join(ph);
  return out.split('&&092;').join('\\');
}

export function escapedPost(s: string): string {
  let out = s;
  for (const [c, ph] of RESERVED) out = out.split(ph).join(c === 'n' ? '\n' : c);
  return out;
}

export function readGift(text: string): GiftFile {
  const file: GiftFile = { categories: [], comments: [], questions: [] };
  for (const block of text.split(/\n[ \t]*\n/)) {
    const body: string[] = [];
    for (const line of block.split('\n')) {
      if (line.trim().startsWith('//')) file.comments.push(line.trim().slice(2).trim());
      else if (line.trim() !== '') body.push(line);
    }
    if (body.length === 0) continue;
    const s = escapedPre(body.join('\n').trim());
    if (s.startsWith('$CATEGORY:')) {
      // Moodle keeps the rest of the block as the path, placeholders and all.
      file.categories.push(s.slice('$CATEGORY:'.length).trim());
      continue;
    }
    const title = /^::([\s\S]*?)::/.exec(s);
    if (!title) throw new Error(`question without a title: ${s.slice(0, 80)}`);
    const rest = s.slice(title[0].length).trim();
    const open = rest.indexOf('{');
    const close = rest.indexOf('}');
    if (open < 0 || close < 0 || close < open) throw new Error(`question without an answer: ${s.slice(0, 80)}`);
    const answerRaw = rest.slice(open + 1, close).trim();
    file.questions.push({
      category: file.categories.at(-1),
      title: escapedPost(title[1]),
      text: escapedPost(rest.slice(0, open) + rest.slice(close + 1)),
      answer: escapedPost(answerRaw),
      answerRaw,
      lines: body.length,
    });
  }
  return file;
}

const WEIGHT = /^%-*([0-9]{1,2})\.?([0-9]*)%/;

/** Moodle's question type for the answer text (numerical, multichoice, match, truefalse, shortanswer). */
export function giftType(answerRaw: string): string {
  if (answerRaw === '') return 'essay';
  if (answerRaw.startsWith('#')) return 'numerical';
  if (answerRaw.includes('~')) return 'multichoice';
  if (answerRaw.includes('=') && answerRaw.includes('->')) return 'match';
  const tf = answerRaw.indexOf('#') > 0 ? answerRaw.slice(0, answerRaw.indexOf('#')).trim() : answerRaw;
  return ['T', 'TRUE', 'F', 'FALSE'].includes(tf) ? 'truefalse' : 'shortanswer';
}

/** parse_text_with_format: a leading [html] / [moodle] / [plain] / [markdown] tag is the format. */
function withoutFormat(text: string): string {
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (['html', 'moodle', 'plain', 'markdown'].includes(text.slice(1, end))) return text.slice(end + 1);
  }
  return text;
}

/** A short-answer question's answers as Moodle stores them, with their weights. */
export function giftShortAnswers(answerRaw: string): { answer: string; fraction: number }[] {
  if (giftType(answerRaw) !== 'shortanswer') throw new Error(`not a short answer: ${answerRaw}`);
  const parts = answerRaw.split('=');
  if (parts[0].trim() === '') parts.shift();
  return parts.map((p) => {
    let a = p.trim();
    let fraction = 1;
    const w = WEIGHT.exec(a);
    if (w) {
      a = a.slice(1);
      const end = a.indexOf('%');
      fraction = Number(a.slice(0, end)) / 100;
      a = a.slice(end + 1);
    }
    const answer = a.split('#')[0].trim();
    return { answer: escapedPost(withoutFormat(answer)).trim(), fraction };
  });
}

/** A numerical question's "#value:tolerance", as Moodle stores it (strings, as given). */
export function giftNumerical(answerRaw: string): { valueText: string; toleranceText: string; value: number; tolerance: number } {
  if (giftType(answerRaw) !== 'numerical') throw new Error(`not numerical: ${answerRaw}`);
  const a = answerRaw.slice(1).split('=').filter((x) => x.trim() !== '');
  if (a.length !== 1) throw new Error(`expected one answer: ${answerRaw}`);
  const m = /^\s*([^:]+):(.+)$/.exec(a[0].split('#')[0]);
  if (!m) throw new Error(`not value:tolerance: ${answerRaw}`);
  const valueText = m[1].trim();
  const toleranceText = m[2].trim();
  const numeric = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/; // PHP is_numeric, roughly
  if (!numeric.test(valueText) || !numeric.test(toleranceText)) throw new Error(`not numbers: ${answerRaw}`);
  return { valueText, toleranceText, value: Number(valueText), tolerance: Number(toleranceText) };
}
