/**
 * A form or its answer key as LaTeX source (the `exam` document class), for instructors who edit
 * before printing. Prompts are Markdown with TeX math: the math is cut out first (the renderer's
 * own splitMath, so both read the same formulas), the Markdown is lexed by marked and written as
 * LaTeX, every text character LaTeX treats specially is escaped, and the common Unicode symbols of
 * the prompts and explanations become their LaTeX commands, so pdflatex compiles it as written.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import { formatNumber, texValue } from '../core/format.js';
import type { Value } from '../core/values.js';
import { splitMath } from '../render/html.js';
import { blankText, ecfText, pageHeader } from './html.js';
import { ecfRule, toleranceShort, type PrintForm, type PrintItem, type PrintStep } from './model.js';

/** Unicode the prompts and explanations use, as LaTeX (math in $…$ so it works in text). */
const UNICODE: Record<string, string> = {
  '·': '$\\cdot$', '−': '$-$', '×': '$\\times$', '≤': '$\\le$', '≥': '$\\ge$', '±': '$\\pm$', '√': '$\\surd$', '∞': '$\\infty$',
  '…': '\\ldots{}', '—': '---', '–': '--', '’': "'", '‘': '`', '“': '``', '”': "''", '½': '$\\frac12$', '²': '$^2$', '‖': '$\\|$',
  '⊙': '$\\odot$', 'ᵀ': '$^\\top$', '₀': '$_0$', '₁': '$_1$', '₂': '$_2$', 'ᾱ': '$\\bar\\alpha$', '→': '$\\to$', '≈': '$\\approx$', '∑': '$\\sum$',
  α: '$\\alpha$', β: '$\\beta$', γ: '$\\gamma$', δ: '$\\delta$', ε: '$\\varepsilon$', θ: '$\\theta$', λ: '$\\lambda$', μ: '$\\mu$', π: '$\\pi$',
  σ: '$\\sigma$', τ: '$\\tau$', φ: '$\\phi$', ω: '$\\omega$', Σ: '$\\Sigma$', Π: '$\\Pi$', Δ: '$\\Delta$', '⚠': '(!)',
};

/** Plain text as LaTeX text: the ten special characters escaped, known Unicode symbols as commands. */
export function escapeTex(s: string): string {
  return s.replace(/[\\{}$&#^_%~<>|]|[^\x00-\x7F]/gu, (c) => {
    switch (c) {
      case '\\':
        return '\\textbackslash{}';
      case '^':
        return '\\textasciicircum{}';
      case '~':
        return '\\textasciitilde{}';
      case '<':
        return '\\textless{}';
      case '>':
        return '\\textgreater{}';
      case '|':
        return '\\textbar{}';
      case '{':
      case '}':
      case '$':
      case '&':
      case '#':
      case '_':
      case '%':
        return `\\${c}`;
      default:
        return UNICODE[c] ?? c;
    }
  });
}

/** Markdown with TeX math as LaTeX body text. */
export function markdownToTex(source: string): string {
  const { md, token, math } = splitMath(source);
  const body = blocks(Lexer.lex(md)).trim();
  return body.replace(new RegExp(`${token}(\\d+)Z`, 'g'), (_m, i: string) => {
    const m = math[Number(i)];
    return m.display ? `\n\\[ ${m.tex} \\]\n` : `$${m.tex}$`;
  });
}

function blocks(tokens: Token[]): string {
  return tokens.map(block).join('');
}

function block(t: Token): string {
  switch (t.type) {
    case 'paragraph':
      return `${inline((t as Tokens.Paragraph).tokens)}\n\n`;
    case 'heading':
      return `\\textbf{${inline((t as Tokens.Heading).tokens)}}\n\n`;
    case 'list': {
      const l = t as Tokens.List;
      const env = l.ordered ? 'enumerate' : 'itemize';
      return `\\begin{${env}}\n${l.items.map((it) => `\\item ${blocks(it.tokens).trim()}\n`).join('')}\\end{${env}}\n\n`;
    }
    case 'table': {
      const tb = t as Tokens.Table;
      const row = (cells: Tokens.TableCell[]) => `${cells.map((c) => inline(c.tokens)).join(' & ')} \\\\`;
      return `\\begin{tabular}{${'l'.repeat(tb.header.length)}}\n${row(tb.header)} \\hline\n${tb.rows.map(row).join('\n')}\n\\end{tabular}\n\n`;
    }
    case 'code':
      return `\\begin{verbatim}\n${(t as Tokens.Code).text}\n\\end{verbatim}\n\n`;
    case 'blockquote':
      return `\\begin{quote}\n${blocks((t as Tokens.Blockquote).tokens).trim()}\n\\end{quote}\n\n`;
    case 'hr':
      return '\\par\\noindent\\rule{\\linewidth}{0.4pt}\n\n';
    case 'space':
      return '';
    case 'text': {
      const x = t as Tokens.Text;
      return x.tokens ? inline(x.tokens) : escapeTex(x.text);
    }
    default:
      return `${escapeTex('raw' in t ? String(t.raw) : '')}\n\n`;
  }
}

function inline(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((t) => {
      switch (t.type) {
        case 'strong':
          return `\\textbf{${inline((t as Tokens.Strong).tokens)}}`;
        case 'em':
          return `\\emph{${inline((t as Tokens.Em).tokens)}}`;
        case 'codespan':
          return `\\texttt{${escapeTex((t as Tokens.Codespan).text)}}`;
        case 'br':
          return '\\\\\n';
        case 'del':
          return inline((t as Tokens.Del).tokens);
        case 'link':
          return inline((t as Tokens.Link).tokens);
        case 'escape':
          return escapeTex((t as Tokens.Escape).text);
        case 'text': {
          const x = t as Tokens.Text;
          return x.tokens ? inline(x.tokens) : escapeTex(x.text);
        }
        default:
          return escapeTex('raw' in t ? String(t.raw) : '');
      }
    })
    .join('');
}

const PREAMBLE = (header: string, key: boolean) => `\\documentclass[11pt,a4paper${key ? '' : ',addpoints'}]{exam}
\\usepackage[utf8]{inputenc}
\\usepackage[T1]{fontenc}
\\usepackage{amsmath,amssymb}
\\usepackage[margin=2cm]{geometry}
\\usepackage{array}
\\usepackage{graphicx}
\\pagestyle{headandfoot}
\\firstpageheader{${escapeTex(header)}}{}{page \\thepage/\\numpages}
\\runningheader{${escapeTex(header)}}{}{page \\thepage/\\numpages}
\\firstpageheadrule
\\runningheadrule
\\firstpagefooter{}{}{}
\\runningfooter{}{}{}
\\pointpoints{mark}{marks}
\\vqword{Item}\\vpword{Marks}\\vsword{Awarded}\\vtword{Total}
% Boxes sized to each answer's shape: one per entry of a vector or matrix.
\\newcommand{\\answerbox}[1][5cm]{\\fbox{\\rule{0pt}{0.9cm}\\hspace{#1}}}
\\newcommand{\\cell}{\\rule{0pt}{0.8cm}\\hspace{1.4cm}}
`;

/** The file a LaTeX source includes for an item's k-th plot, written beside it: "form-A-item-2-plot-1.png". */
export const texImageName = (form: Pick<PrintForm, 'letter'>, it: Pick<PrintItem, 'n' | 'images'>, k: number): string => `form-${form.letter}-item-${it.n}-${it.images![k].name}`;

/**
 * An item's plots, each from its file beside the source (`stepwise exam print` writes them); a
 * source downloaded alone still compiles, with a box naming the missing file.
 */
function figuresTex(form: PrintForm, it: PrintItem): string {
  return (it.images ?? [])
    .map((im, k) => {
      const file = texImageName(form, it, k);
      return `\\begin{center}\\IfFileExists{${file}}{\\includegraphics[width=0.6\\linewidth]{${file}}}{\\fbox{${escapeTex(`picture ${file} goes here`)}}}\\\\\n{\\small ${escapeTex(im.caption)}}\\end{center}\n`;
    })
    .join('');
}

function answerSpace(s: PrintStep): string {
  if (s.kind === 'label' && s.labels) return `\n\n${(s.labels ?? []).map((l) => `$\\bigcirc$~${escapeTex(l)}`).join('\\qquad ')}\n`;
  if (s.kind === 'scalar') return '\n\n\\answerbox\n';
  const rows = Array.from({ length: s.rows }, () => `${Array.from({ length: s.cols }, () => '\\cell').join(' & ')} \\\\ \\hline`).join('\n');
  return `\n\n\\begin{tabular}{|${'c|'.repeat(s.cols)}}\\hline\n${rows}\n\\end{tabular}\n`;
}

function shapeWords(s: PrintStep): string {
  if (s.kind === 'vector') return `a vector of ${s.cols}`;
  if (s.kind === 'matrix') return `a ${s.rows} \\texttimes{} ${s.cols} matrix`;
  if (s.kind === 'label') return s.labels ? 'tick one' : 'a word or label';
  return 'a number';
}

/** The answer sheet of one form as a LaTeX document. */
export function formTex(form: PrintForm): string {
  const out: string[] = [PREAMBLE(pageHeader(form, false), false), '\\begin{document}\n'];
  out.push(`\\begin{center}\\Large\\bfseries ${escapeTex(form.title)}\\\\[1ex] Form ${escapeTex(form.letter)}\\end{center}\n\n`);
  out.push('\\vspace{1em}\\noindent\\makebox[4cm][l]{Name:}\\hrulefill\n\n\\vspace{1.5em}\\noindent\\makebox[4cm][l]{Student number:}');
  out.push(`${Array.from({ length: 10 }, () => '\\fbox{\\rule{0pt}{0.5cm}\\hspace{0.35cm}}').join('')}\n\n\\vspace{1.5em}\n`);
  out.push(`\\noindent Answer every step in its own box (a matrix or vector has one box per entry). This exam has ${form.items.length} items worth ${formatNumber(form.marks)} marks.\n\n`);
  out.push('\\begin{center}\n\\gradetable[v][questions]\n\\end{center}\n\n\\newpage\n\\begin{questions}\n');
  for (const it of form.items) {
    out.push(`\\titledquestion{${escapeTex(it.title)}}\n${markdownToTex(it.statement)}\n${figuresTex(form, it)}`);
    if (it.toleranceNote) out.push(`\n\\emph{${escapeTex(it.toleranceNote)}}\n`);
    out.push('\\begin{parts}\n');
    for (const s of it.steps) out.push(`\\part[${formatNumber(s.marks)}] ${escapeTex(s.label)} (\\texttt{${escapeTex(s.id)}}; ${shapeWords(s)})${answerSpace(s)}\n`);
    out.push('\\end{parts}\n\\vspace{1em}\\noindent Working:\\par\\vspace{5cm}\n\\newpage\n');
  }
  out.push('\\end{questions}\n\\end{document}\n');
  return out.join('');
}

/** A value as display math (labels as text). */
const valueTex = (v: Value): string => (typeof v === 'string' ? `\\texttt{${escapeTex(v)}}` : `$\\displaystyle ${texValue(v)}$`);

/** The answer key of one form as a LaTeX document. */
export function keyTex(form: PrintForm): string {
  const out: string[] = [PREAMBLE(pageHeader(form, true), true), '\\begin{document}\n'];
  out.push(`\\begin{center}\\Large\\bfseries ${escapeTex(form.title)}\\\\[1ex] Form ${escapeTex(form.letter)}: answer key\\end{center}\n\n`);
  out.push(`\\noindent\\fbox{For instructors and graders only. Do not hand out.}\n\n${escapeTex(ecfText(form.rules.ecfPenalty))}\n\n${escapeTex(blankText(form.rules.blankSteps))}\n\n`);
  out.push('\\begin{questions}\n');
  for (const it of form.items) {
    out.push(`\\titledquestion{${escapeTex(it.title)}}[${formatNumber(it.marks)}]\n${markdownToTex(it.statement)}\n${figuresTex(form, it)}\\begin{parts}\n`);
    for (const s of it.steps) {
      out.push(`\\part ${escapeTex(s.label)} (\\texttt{${escapeTex(s.id)}}, ${formatNumber(s.marks)} marks)\n\n${valueTex(s.value)}\n\n`);
      out.push(`\\noindent\\textbf{Tolerance:} ${escapeTex(toleranceShort(s.kind, s.tolerance))}\\\\\n\\textbf{ECF:} ${escapeTex(ecfRule(s, form.rules.ecfPenalty))}\n\n`);
      if (s.misconceptions.length > 0) {
        out.push('\\begin{itemize}\n');
        for (const m of s.misconceptions) out.push(`\\item \\texttt{misconception:${escapeTex(m.id)}}: ${escapeTex(m.explanation)}${m.value !== undefined ? ` (gives ${valueTex(m.value)})` : ''}\n`);
        out.push('\\end{itemize}\n');
      }
    }
    out.push(`\\end{parts}\n\\paragraph{Worked solution.}\n${markdownToTex(it.workedMarkdown)}\n\\newpage\n`);
  }
  out.push('\\end{questions}\n\\end{document}\n');
  return out.join('');
}
