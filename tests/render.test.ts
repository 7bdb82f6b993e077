/**
 * One Markdown+TeX renderer for every reader of a prompt: the same tricky prompts go through the
 * API's prompt route, the web question page, the page an LTI launch lands on and each exporter's
 * statement (Moodle XML, QTI, GIFT), and every caller must find the same formulas (TeX and display or inline, written out by hand
 * below) and show the HTML in the text as text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGift, toMoodleXml, toQtiItems } from '../src/exports/index.js';
import type { ExportItem } from '../src/exports/types.js';
import { markdownToHtml, mathSpans, type MathSpan } from '../src/render/html.js';
import type { NewVariant, Store } from '../src/store/types.js';
import { startHarness, type Harness } from './api/harness.js';
import { decodeEntities, exportItem } from './exports/helpers.js';
import { readGift } from './exports/gift-reader.js';
import { startLti, type LtiHarness } from './lti/harness.js';
import { signIn } from './pages/harness.js';

interface Case {
  name: string;
  prompt: string;
  math: MathSpan[];
  /** Text a reader must see (outside the math), as plain text. */
  shows?: string[];
}

const inline = (tex: string): MathSpan => ({ tex, display: false });
const display = (tex: string): MathSpan => ({ tex, display: true });

const CASES: Case[] = [
  {
    name: 'escaped dollars',
    prompt: 'It costs \\$5, or \\$6 with tax; the rate is $r = 0.5$.',
    math: [inline('r = 0.5')],
    shows: ['It costs $5, or $6 with tax'],
  },
  {
    name: 'dollars that are prices, not math',
    prompt: 'Between $5 and $6 per unit, with $p$ the price.',
    math: [inline('p')],
    shows: ['Between $5 and $6 per unit'],
  },
  {
    name: '$ in code spans',
    prompt: 'Type `$x$` or ``a $ b`` literally; but $y_1$ is math.',
    math: [inline('y_1')],
    shows: ['$x$', 'a $ b'],
  },
  {
    name: '$ in a code block',
    prompt: 'Code:\n\n```\nlet s = $a$ + $$b$$;\n```\n\nThen $$\\sum_i x_i$$',
    math: [display('\\sum_i x_i')],
    shows: ['let s = $a$ + $$b$$;'],
  },
  {
    name: '$$ display math on its own lines',
    prompt: 'Before\n\n$$\nQ K^\\top / \\sqrt{d_k}\n$$\n\nafter, and inline $$a_{ij}$$ too.',
    math: [display('Q K^\\top / \\sqrt{d_k}'), display('a_{ij}')],
    shows: ['Before', 'after, and inline'],
  },
  {
    name: 'inline math next to punctuation',
    prompt: 'Let $x$, $y$; and ($z$). Then $w$! Or "$v$"? $t$:',
    math: [inline('x'), inline('y'), inline('z'), inline('w'), inline('v'), inline('t')],
    shows: ['Let', ', ', '; and (', '). Then', '! Or "', '"? '],
  },
  {
    name: 'HTML in the text',
    prompt: '<script>alert(1)</script>\n\nSee <b onclick="x()">this</b> & $a<b$ <img src=x onerror=alert(2)>',
    math: [inline('a<b')],
    shows: ['<script>alert(1)</script>', '<b onclick="x()">this</b>', '<img src=x onerror=alert(2)>'],
  },
  {
    name: 'a formula KaTeX cannot read',
    prompt: 'Broken: $\\frac{1}{$ and $$\\begin{x}$$ but fine $x^2$.',
    math: [inline('\\frac{1}{'), display('\\begin{x}'), inline('x^2')],
    shows: ['Broken:', 'but fine'],
  },
  {
    name: 'empty formulas',
    prompt: 'Empty $$ $$ and $$$$ here, then $q$.',
    math: [inline('q')],
    shows: ['Empty $$ $$ and $$$$ here, then'],
  },
];

// Each kind of formula a caller may write: KaTeX's span (HTML and MathML, the TeX as annotation;
// or its error span, the TeX as text), bare MathML (QTI), TeX between \( \) or \[ \] (MathJax).
const START = /<span class="katex(-display|-error)?"[^>]*>|<math\b[^>]*>|\\\(|\\\[/g;

/** The end of the element opened at `from` (a span), counting nested spans. */
function spanEnd(html: string, from: number): number {
  const tag = /<span\b[^>]*>|<\/span>/g;
  tag.lastIndex = from;
  let depth = 0;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    depth += m[0] === '</span>' ? -1 : 1;
    if (depth === 0) return m.index + m[0].length;
  }
  throw new Error(`unclosed span at ${from}: ${html.slice(from, from + 200)}`);
}

const annotation = (s: string): string | undefined => /<annotation encoding="application\/x-tex">([\s\S]*?)<\/annotation>/.exec(s)?.[1];

/** The formulas an HTML statement shows, whoever wrote it, and the HTML around them. */
function readFormulas(html: string): { math: MathSpan[]; rest: string } {
  const math: MathSpan[] = [];
  let rest = '';
  let at = 0;
  START.lastIndex = 0;
  for (let m = START.exec(html); m; m = START.exec(html)) {
    let end: number;
    if (m[0].startsWith('<span')) {
      end = spanEnd(html, m.index);
      const el = html.slice(m.index, end);
      const tex = annotation(el) ?? /<span class="katex-error"[^>]*>([\s\S]*?)<\/span>/.exec(el)![1];
      math.push({ tex: decodeEntities(tex).trim(), display: m[1] === '-display' || /<math[^>]*display="block"/.test(el) });
    } else if (m[0].startsWith('<math')) {
      end = html.indexOf('</math>', m.index) + '</math>'.length;
      const el = html.slice(m.index, end);
      math.push({ tex: decodeEntities(annotation(el)!).trim(), display: /display="block"/.test(m[0]) });
    } else {
      const close = m[0] === '\\(' ? '\\)' : '\\]';
      end = html.indexOf(close, m.index) + 2;
      math.push({ tex: decodeEntities(html.slice(m.index + 2, end - 2)).trim(), display: m[0] === '\\[' });
    }
    rest += `${html.slice(at, m.index)} `;
    at = end;
    START.lastIndex = end;
  }
  return { math, rest: rest + html.slice(at) };
}

/** What a reader sees outside the formulas, as text, and any tag the renderer does not write. */
function textOf(html: string): { text: string; foreignTags: string[] } {
  const { rest } = readFormulas(html);
  const tags = [...rest.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1].toLowerCase());
  const ours = new Set(['p', 'code', 'pre']);
  return { text: decodeEntities(rest.replace(/<[^>]*>/g, '')), foreignTags: tags.filter((t) => !ours.has(t)) };
}

/** Every caller: the statement HTML each one produces for a prompt. */
type Caller = (prompt: string) => Promise<string>;

function withPrompt(store: Store, prompt: string): () => void {
  const variants = store.variants as { create(input: NewVariant): Promise<unknown> };
  const create = variants.create.bind(variants);
  variants.create = (input: NewVariant) => create({ ...input, prompt });
  return () => {
    variants.create = create;
  };
}

function exportItemWith(statement: string): ExportItem {
  // kl-discrete has a scalar step, so GIFT (one answer box per question) writes a question.
  return { ...exportItem('kl-discrete', 3, 'easy'), statement };
}

const between = (s: string, open: string, close: string): string => {
  const a = s.indexOf(open);
  expect(a, `${open} in ${s.slice(0, 400)}`).toBeGreaterThanOrEqual(0);
  const b = s.indexOf(close, a + open.length);
  expect(b).toBeGreaterThan(a);
  return s.slice(a + open.length, b);
};

let api: Harness;
let lti: LtiHarness;

beforeAll(async () => {
  [api, lti] = await Promise.all([startHarness(), startLti()]);
});
afterAll(async () => {
  await Promise.all([api?.close(), lti?.close()]);
});

const CALLERS: Record<string, Caller> = {
  'the renderer itself': (prompt) => markdownToHtml(prompt),
  "the API's prompt route": async (prompt) => {
    const student = await api.student();
    const restore = withPrompt(api.store, prompt);
    try {
      const v = await api.call('POST', '/api/v1/variants', { key: student.key, body: { topic: 'kl-discrete' } });
      expect(v.status, v.text).toBe(201);
      const r = await api.call('GET', `/api/v1/variants/${v.body.id}/prompt`, { key: student.key });
      expect(r.status, r.text).toBe(200);
      expect(r.body.markdown).toBe(prompt);
      return r.body.html as string;
    } finally {
      restore();
    }
  },
  "the web question page (/practice/{topic})": async (prompt) => {
    const student = await api.student();
    const page = await signIn(api, student.key);
    const restore = withPrompt(api.store, prompt);
    try {
      const r = await page.get('/practice/kl-discrete');
      expect(r.status, r.text.slice(0, 400)).toBe(200);
      return between(r.text, '<section class="prompt" aria-label="Problem">\n', '\n</section>');
    } finally {
      restore();
    }
  },
  'the LTI launch page': async (prompt) => {
    const restore = withPrompt(lti.store, prompt);
    try {
      const { idToken, state } = await lti.login();
      const r = await lti.postLaunch(idToken, state, 'text/html');
      expect(r.status, r.text).toBe(200);
      // The launch lands on the web pages' question page (src/lti/page.ts): its prompt section.
      return between(r.text, '<section class="prompt" aria-label="Problem">\n', '\n</section>');
    } finally {
      restore();
    }
  },
  'the Moodle XML export': async (prompt) => {
    const xml = toMoodleXml([exportItemWith(prompt)], { title: 'render' });
    const text = between(xml, '<questiontext format="html"><text><![CDATA[', ']]></text>').replace(/]]]]><!\[CDATA\[>/g, ']]>');
    return between(text, '<div class="stepwise-statement">', '</div>\n');
  },
  'the QTI export': async (prompt) => {
    const [file] = toQtiItems([exportItemWith(prompt)]);
    return between(file.xml, '<div class="stepwise-statement">', '</div>\n');
  },
  'the GIFT export': async (prompt) => {
    const gift = readGift(toGift([exportItemWith(prompt)], { title: 'render' }));
    expect(gift.questions.length).toBeGreaterThan(0);
    const text = gift.questions[0].text;
    expect(text.startsWith('[html]')).toBe(true);
    return text.slice('[html]'.length, text.lastIndexOf('\n<p><strong>'));
  },
};

describe('the renderer reads the prompt once', () => {
  it.each(CASES)('$name: mathSpans finds the formulas written out by hand', ({ prompt, math }) => {
    expect(mathSpans(prompt)).toEqual(math);
  });
});

describe.each(Object.entries(CALLERS))('%s', (_name, render) => {
  it.each(CASES)('$name: the same formulas, the text shown as text', async ({ prompt, math, shows }) => {
    const html = await render(prompt);
    expect(readFormulas(html).math).toEqual(math);
    const { text, foreignTags } = textOf(html);
    expect(foreignTags).toEqual([]);
    for (const s of shows ?? []) expect(text).toContain(s);
  });
});
