/**
 * The LaTeX export: special characters escaped, math kept as TeX, the `exam` class structure
 * (one question per item, one part per step with its marks, a box per matrix entry). No TeX
 * installation is needed: where `pdflatex` and the exam class exist, the files are also compiled.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printForm } from '../../src/print/model.js';
import { escapeTex, formTex, keyTex, markdownToTex } from '../../src/print/tex.js';
import { printFixture } from './fixture.js';

/** Braces balance once escaped ones are set aside. */
function balanced(tex: string): boolean {
  let depth = 0;
  for (const c of tex.replace(/\\[{}]/g, '')) {
    if (c === '{') depth++;
    if (c === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

describe('escaping', () => {
  it('escapes every character LaTeX treats specially in text', () => {
    expect(escapeTex('50% of $x & y_1 #2 {a} ~ ^ \\')).toBe('50\\% of \\$x \\& y\\_1 \\#2 \\{a\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
    expect(escapeTex('a < b > c | d')).toBe('a \\textless{} b \\textgreater{} c \\textbar{} d');
    expect(escapeTex('σ · √x − 1 ≤ ∞')).toBe('$\\sigma$ $\\cdot$ $\\surd$x $-$ 1 $\\le$ $\\infty$');
  });

  it('keeps math as written and writes Markdown as LaTeX', () => {
    expect(markdownToTex('Take $x_1 + 50\\%$ of **all** `q_i` & more.')).toBe('Take $x_1 + 50\\%$ of \\textbf{all} \\texttt{q\\_i} \\& more.');
    expect(markdownToTex('A\n\n$$ \\frac{a}{b} $$\n\nB')).toBe('A\n\n\n\\[ \\frac{a}{b} \\]\n\n\nB');
    expect(markdownToTex('1. one\n2. *two*')).toBe('\\begin{enumerate}\n\\item one\n\\item \\emph{two}\n\\end{enumerate}');
  });
});

describe('exam documents', () => {
  it('writes one question per item and one part per step with its marks, boxes sized to the shape', async () => {
    const { exam, variants } = await printFixture();
    const form = printForm(exam, variants, 1);
    const tex = formTex(form);
    expect(tex).toMatch(/^\\documentclass\[11pt,a4paper,addpoints\]\{exam\}/);
    expect(tex).toContain('\\runningheader{Midterm $\\cdot$ Form A}{}{page \\thepage/\\numpages}');
    expect(tex).toContain('\\gradetable[v][questions]');
    expect(tex.match(/\\titledquestion\{/g)).toHaveLength(form.items.length);
    const parts = [...tex.matchAll(/\\part\[(\d+(?:\.\d+)?)\]/g)].map((m) => Number(m[1]));
    expect(parts).toEqual(form.items.flatMap((i) => i.steps.map((s) => s.marks)));
    // The KL log ratios: one row of n boxes; self-attention's Q: rows × cols boxes.
    const lr = form.items[0].steps[0];
    expect(tex).toContain(`\\begin{tabular}{|${'c|'.repeat(lr.cols)}}\\hline\n${Array(lr.cols).fill('\\cell').join(' & ')} \\\\ \\hline\n\\end{tabular}`);
    const q = form.items[1].steps.find((s) => s.id === 'Q')!;
    expect(tex).toContain(`\\begin{tabular}{|${'c|'.repeat(q.cols)}}\\hline\n${Array(q.rows).fill(`${Array(q.cols).fill('\\cell').join(' & ')} \\\\ \\hline`).join('\n')}\n\\end{tabular}`);
    expect(balanced(tex)).toBe(true);
    expect(tex).not.toContain('misconception');
    expect(tex.trimEnd().endsWith('\\end{document}')).toBe(true);
  });

  it('writes the key with values, tolerance, ECF and misconception codes', async () => {
    const { exam, variants } = await printFixture();
    const form = printForm(exam, variants, 3);
    const tex = keyTex(form);
    expect(tex).toContain('Form C: answer key');
    expect(tex).toMatch(/\\textbf\{Tolerance:\} \$\\pm\$0\.001 \+ 1\\% of the value/);
    expect(tex).toContain("\\textbf{ECF:} ECF from log\\_ratio");
    expect(tex).toMatch(/\\texttt\{misconception:[a-z-]+\}/);
    expect(tex).toContain('\\paragraph{Worked solution.}');
    expect(balanced(tex)).toBe(true);
  });

  const pdflatex = spawnSync('kpsewhich', ['exam.cls'], { encoding: 'utf8' });
  it.runIf(pdflatex.status === 0 && pdflatex.stdout.trim() !== '')('compiles with pdflatex where TeX and the exam class are installed', async () => {
    const { exam, variants } = await printFixture();
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-tex-'));
    const form = printForm(exam, variants, 1);
    for (const [name, tex] of [['form', formTex(form)], ['key', keyTex(form)]]) {
      writeFileSync(join(dir, `${name}.tex`), tex);
      // Twice: the exam class numbers pages and fills the grade table on the second run.
      for (let i = 0; i < 2; i++) execFileSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', `${name}.tex`], { cwd: dir, timeout: 60_000 });
    }
  }, 120_000);
});
