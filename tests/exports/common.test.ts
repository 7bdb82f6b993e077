/** The exporters' shared pieces: numbers, tolerances, Markdown + TeX as HTML, weights. */
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { cdata, escapeHtml, escapeXml, formatExportNumber, formatTolerance, markdownToHtml, stepElements } from '../../src/exports/common.js';
import { clozeWeights } from '../../src/exports/moodle-xml.js';
import type { ExportItem, ExportStep } from '../../src/exports/types.js';

const PLAIN = /^-?\d+(\.\d+)?$/;

function significantDigits(s: string): number {
  return s.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
}

describe('numbers', () => {
  it('drops float noise', () => {
    expect(formatExportNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatExportNumber(0.19720000000000001)).toBe('0.1972');
    expect(formatExportNumber(-0)).toBe('0');
    // A difference that is exactly 0 in decimals but not in binary.
    expect(formatExportNumber(0.1 * 0.3 - 0.3 * 0.1 + 4.85e-17)).toBe('0');
  });

  it('writes small and large numbers without an exponent, to 10 significant digits', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e15, max: 1e15, noNaN: true }), (x) => {
        fc.pre(Math.abs(x) > 1e-9);
        const s = formatExportNumber(x);
        expect(s).toMatch(PLAIN);
        expect(significantDigits(s)).toBeLessThanOrEqual(10);
        // Nearest rounding to 10 significant digits, or to 12 places for tiny values; the slack of
        // a few ulps of x covers the error of computing Number(s) − x itself (a tie such as
        // −0.00032840696350000005 lands within one ulp of the bound).
        expect(Math.abs(Number(s) - x)).toBeLessThanOrEqual(Math.max(5e-10 * Math.abs(x), 5e-13) * (1 + 1e-9) + 4 * Number.EPSILON * Math.abs(x));
      }),
    );
    expect(formatExportNumber(4.3e-7)).toBe('0.00000043');
    // Rounded once: 10 significant digits then 12 places would give …210 (a double rounding).
    expect(formatExportNumber(0.00046319020945000003)).toBe('0.000463190209');
    expect(formatExportNumber(1 / 3)).toBe('0.3333333333');
  });

  it('rounds tolerances up to 12 significant digits, never narrower than the allowance', () => {
    expect(formatTolerance(0.5 * 10 ** -3)).toBe('0.0005');
    expect(formatTolerance(0.001 + 0.01 * 0.3)).toBe('0.004');
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e6, noNaN: true }), (a) => {
        const s = formatTolerance(a);
        expect(s).toMatch(PLAIN);
        expect(significantDigits(s)).toBeLessThanOrEqual(12);
        const t = Number(s);
        // Never narrower, but for binary noise below the 15th digit, which is dropped first.
        expect(t).toBeGreaterThanOrEqual(a * (1 - 1e-14));
        expect(t - a).toBeLessThanOrEqual(1e-11 * a);
      }),
    );
  });
});

describe('Markdown + TeX → HTML', () => {
  const display = String.raw`\begin{bmatrix} a_1 & b_1 \\ c_1 & d_1 \end{bmatrix}`;
  const inline = String.raw`x_1 * y_2 + \|z\|_2 < w`;
  const source = `Let $$ ${display} $$ and $${inline}$ with *emphasis*, \`code $x$\`, costs $5 and $6, a | b.`;

  it('keeps TeX intact (\\\\, _, *, |, <) between \\( \\) and \\[ \\] delimiters', () => {
    const html = markdownToHtml(source, { math: 'tex' });
    expect(html).toContain(`\\[ ${escapeHtml(display)} \\]`);
    expect(html).toContain(`\\( ${escapeHtml(inline)} \\)`);
    expect(html).toContain('<em>emphasis</em>');
    expect(html).toContain('<code>code $x$</code>');
    expect(html).toContain('costs $5 and $6');
    expect(html).not.toMatch(/\$\$|\$x_1/);
  });

  it('renders math as MathML with the TeX as annotation, and well-formed XHTML', () => {
    const md = `${source}\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n\nline  \nbreak\n\n---\n\n<div>raw & html</div>`;
    const html = markdownToHtml(md, { math: 'mathml', xhtml: true });
    expect(XMLValidator.validate(`<root>${html}</root>`)).toBe(true);
    expect(html.match(/<math /g)?.length).toBe(2);
    expect(html).toContain(`<annotation encoding="application/x-tex">${escapeHtml(display)}</annotation>`);
    expect(html).not.toMatch(/ align=/);
    // Raw HTML in a statement is shown as text, never passed through.
    expect(html).toContain('&lt;div&gt;raw &amp; html&lt;/div&gt;');
  });

  it('reads only XML’s own character references as references', () => {
    const html = markdownToHtml('AT&amp;T &#123; &copy; &#0; & co', { math: 'tex' });
    expect(html).toBe('<p>AT&amp;T { &amp;copy; \ufffd &amp; co</p>');
    expect(XMLValidator.validate(`<p>${html}</p>`)).toBe(true);
  });
});

describe('Cloze weights', () => {
  const step = (id: string, expected: ExportStep['expected'], marks: number): ExportStep => ({
    id,
    label: id,
    kind: typeof expected === 'number' ? 'scalar' : Array.isArray(expected[0]) ? 'matrix' : 'vector',
    expected,
    marks,
    tolerance: { absolute: 0.01 },
  });

  function weightsOf(steps: ExportStep[]): number[] {
    const item: ExportItem = { id: 'w', title: 'w', topic: 't', statement: '', steps };
    return clozeWeights(item, steps.map((s) => stepElements(item, s)));
  }

  it('shares each step’s marks among its answerable elements, in the smallest whole numbers', () => {
    // 1 mark over 3 elements, 2 marks on a scalar: shares 1/3 and 2 → 1 and 6.
    expect(weightsOf([step('v', [1, 2, 3], 1), step('s', 4, 2)])).toEqual([1, 6]);
    // Masked entries take no share: 2 marks over the 3 unmasked cells of a 2×2 → 2/3 each.
    expect(weightsOf([step('m', [[1, -Infinity], [2, 3]], 2), step('s', 4, 1)])).toEqual([2, 3]);
    // Fractional marks: 1.5 over 2 and 0.25 on a scalar → 3/4 and 1/4.
    expect(weightsOf([step('v', [1, 2], 1.5), step('s', 4, 0.25)])).toEqual([3, 1]);
  });

  it('rejects marks that are not positive', () => {
    expect(() => weightsOf([step('s', 4, 0)])).toThrow(/marks must be a positive number/);
  });

  it('checks the expected value against the step kind', () => {
    const item: ExportItem = { id: 'k', title: 'k', topic: 't', statement: '', steps: [] };
    expect(() => stepElements(item, { ...step('s', 1, 1), kind: 'vector' })).toThrow(/vector/);
    expect(() => stepElements(item, step('s', -Infinity, 1))).toThrow(/finite number/);
    expect(stepElements(item, step('m', [[1, 2], [3, -Infinity]], 1)).map((e) => e.masked)).toEqual([false, false, false, true]);
  });
});

describe('XML text', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: false });
  const text = 'a ]]> b ]]]]> c <d> & "e" \'f\' \n g';

  it('holds any text in CDATA, splitting a ]]> inside', () => {
    const xml = `<t>${cdata(text)}</t>`;
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(parser.parse(xml).t).toBe(text);
  });

  it('escapes text and attribute values, dropping characters XML cannot hold', () => {
    const xml = `<t a="${escapeXml(text + '\u0000')}">${escapeXml(text + '\u0007')}</t>`;
    expect(XMLValidator.validate(xml)).toBe(true);
    const t = parser.parse(xml).t;
    expect(t['#text']).toBe(text);
  });
});
