/**
 * Markdown-with-TeX prompts as plain terminal text: the practice drill and the human-readable CLI
 * print prompts and worked solutions, and a terminal shows no TeX. Covers what the templates use —
 * matrices become aligned bracketed rows, common commands become Unicode — and degrades to the
 * command's name for anything else, so nothing is ever silently dropped.
 */

const SYMBOLS: Record<string, string> = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', varepsilon: 'ε', theta: 'θ', lambda: 'λ',
  mu: 'μ', pi: 'π', sigma: 'σ', tau: 'τ', phi: 'φ', omega: 'ω', Sigma: 'Σ', Pi: 'Π', Delta: 'Δ',
  sum: 'Σ', prod: 'Π', cdot: '·', times: '×', odot: '⊙', le: '≤', leq: '≤', ge: '≥', geq: '≥', ne: '≠',
  neq: '≠', approx: '≈', infty: '∞', to: '→', rightarrow: '→', leftarrow: '←', mid: '|', in: '∈',
  top: 'ᵀ', ldots: '…', dots: '…', cdots: '⋯', partial: '∂', nabla: '∇', propto: '∝', sim: '~',
  log: 'log', ln: 'ln', exp: 'exp', sin: 'sin', cos: 'cos', tanh: 'tanh', max: 'max', min: 'min',
  quad: '   ', qquad: '     ', ',': ' ', ';': ' ', '!': '', '|': '‖', '{': '{', '}': '}', '%': '%',
  '_': '_', '&': '&', '#': '#', '$': '$', left: '', right: '', big: '', Big: '', bigl: '', bigr: '',
};

const ACCENTS: Record<string, string> = { tilde: '\u0303', bar: '\u0304', hat: '\u0302', vec: '\u20d7', dot: '\u0307' };

/** Converts a whole Markdown-with-TeX document. */
export function texToText(markdown: string): string {
  return markdown
    .replace(/\$\$([\s\S]+?)\$\$/g, (_m, body: string) => displayBlock(body))
    .replace(/\$([^$\n]+?)\$/g, (_m, body: string) => inline(body))
    .replace(/\*\*([^*\n]+)\*\*/g, '$1')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/\n{3,}/g, '\n\n');
}

/** A display block: each \quad-separated part on its own lines, matrices as aligned rows. */
function displayBlock(body: string): string {
  const parts = body.split(/\\quad|\\qquad/).map((p) => p.trim().replace(/^,\s*|,\s*$/g, '')).filter(Boolean);
  return '\n' + parts.map(displayPart).join('\n\n') + '\n';
}

function displayPart(part: string): string {
  const m = /^([\s\S]*?)\\begin\{[bp]matrix\}([\s\S]*?)\\end\{[bp]matrix\}([\s\S]*)$/.exec(part);
  if (!m) return '    ' + inline(part);
  const [, before, cells, after] = m;
  const rows = cells
    .split('\\\\')
    .map((r) => r.split('&').map((c) => inline(c.trim())))
    .filter((r) => r.some((c) => c !== ''));
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, j) => (widths[j] = Math.max(widths[j] ?? 0, [...c].length)));
  const label = inline(before.trim());
  const pad = ' '.repeat([...label].length + (label ? 1 : 0));
  const rest = after.trim() ? ' ' + displayPart(after.trim()).trim() : '';
  return rows
    .map((r, i) => {
      const body = r.map((c, j) => ' '.repeat(widths[j] - [...c].length) + c).join('  ');
      const open = rows.length === 1 ? '[' : i === 0 ? '⎡' : i === rows.length - 1 ? '⎣' : '⎢';
      const close = rows.length === 1 ? ']' : i === 0 ? '⎤' : i === rows.length - 1 ? '⎦' : '⎥';
      const lead = i === 0 && label ? `${label} ` : pad;
      return `    ${lead}${open} ${body} ${close}${i === rows.length - 1 ? rest : ''}`;
    })
    .join('\n');
}

/** Inline TeX to Unicode text. */
export function inline(tex: string): string {
  let s = tex;
  // Innermost-first rewriting of the structures with arguments.
  for (let guard = 0; guard < 20; guard++) {
    const before = s;
    s = s
      .replace(/\\(?:text|mathrm|operatorname|mathbf|mathit|boldsymbol)\{([^{}]*)\}/g, '$1')
      .replace(/\\mathcal\{N\}/g, '𝒩')
      .replace(/\\mathbb\{([A-Z])\}/g, (_m, c: string) => ({ E: '𝔼', R: 'ℝ', N: 'ℕ' })[c] ?? c)
      .replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, (_m, a: string, b: string) => `${group(a)}/${group(b)}`)
      .replace(/\\sqrt\{([^{}]*)\}/g, (_m, a: string) => `√${group(a)}`)
      .replace(/\\(tilde|bar|hat|vec|dot)\{([^{}]*)\}/g, (_m, acc: string, a: string) => accent(a, acc))
      .replace(/\\(tilde|bar|hat|vec|dot)\s+([A-Za-z])/g, (_m, acc: string, a: string) => accent(a, acc))
      .replace(/\^\{\\top\}|\^\\top|\^T\b/g, 'ᵀ')
      .replace(/\^\{([^{}]*)\}/g, (_m, a: string) => `^${group(a)}`)
      .replace(/_\{([^{}]*)\}/g, (_m, a: string) => `_${a.length > 1 ? `{${a}}` : a}`);
    if (s === before) break;
  }
  s = s.replace(/\\([A-Za-z]+|[,;!|{}%_&#$])/g, (_m, name: string) => SYMBOLS[name] ?? name);
  s = s.replace(/_\{([^{}]*)\}/g, '_$1').replace(/[{}]/g, '');
  return s.replace(/\s+/g, ' ').trim();
}

function group(a: string): string {
  const t = a.trim();
  return /^[\w.∞√ᵀ-]+$/u.test(t) ? t : `(${t})`;
}

function accent(a: string, acc: string): string {
  const t = a.trim();
  return [...t].length === 1 ? t + ACCENTS[acc] : `${acc}(${t})`;
}
