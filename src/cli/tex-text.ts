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
  quad: '   ', qquad: '     ', ' ': ' ', ',': ' ', ';': ' ', '!': '', '|': '‖', '{': '{', '}': '}', '%': '%',
  '_': '_', '&': '&', '#': '#', '$': '$', left: '', right: '', big: '', Big: '', bigl: '', bigr: '',
  lfloor: '⌊', rfloor: '⌋', lceil: '⌈', rceil: '⌉', pm: '±', mp: '∓', lVert: '‖', rVert: '‖', ell: 'ℓ',
};

const SUBSCRIPT: Record<string, string> = {
  '0': '₀', '1': '₁', '2': '₂', '3': '₃', '4': '₄', '5': '₅', '6': '₆', '7': '₇', '8': '₈', '9': '₉',
  '+': '₊', '-': '₋', '=': '₌', '(': '₍', ')': '₎', a: 'ₐ', e: 'ₑ', h: 'ₕ', i: 'ᵢ', j: 'ⱼ', k: 'ₖ',
  l: 'ₗ', m: 'ₘ', n: 'ₙ', o: 'ₒ', p: 'ₚ', r: 'ᵣ', s: 'ₛ', t: 'ₜ', u: 'ᵤ', v: 'ᵥ', x: 'ₓ',
};

/** x_{t-1} → xₜ₋₁ where Unicode has every character, else x_(…) so the grouping survives. */
function subscript(a: string): string {
  const t = a.replace(/\s+/g, '');
  if ([...t].every((c) => SUBSCRIPT[c])) return [...t].map((c) => SUBSCRIPT[c]).join('');
  if (/^[A-Za-z]+$/.test(t) || /^\(.*\)$/.test(t)) return `_${t}`;
  return `_(${a.trim()})`;
}

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
      .replace(/\\(?:text|mathrm|mathbf|mathit|boldsymbol)\{([^{}]*)\}/g, '$1')
      // A space after the name (diag σ), none before a sub- or superscript (softmax_row).
      .replace(/\\operatorname\{([^{}]*)\}(\s*[_^])?/g, (_m, name: string, script?: string) => (script ? name + script.trim() : `${name} `))
      .replace(/\\mathcal\s*\{?N\}?/g, '𝒩')
      .replace(/\\[td]?frac\s*12(?![0-9])/g, '½')
      .replace(/\\[td]?frac\s*(\d)(\d)/g, '$1/$2')
      .replace(/\\mathbb\{([A-Z])\}/g, (_m, c: string) => ({ E: '𝔼', R: 'ℝ', N: 'ℕ' })[c] ?? c)
      .replace(/\\[td]?frac\{([^{}]*)\}\{([^{}]*)\}/g, (_m, a: string, b: string) => `${group(a)}/${group(b)}`)
      .replace(/\\sqrt\{([^{}]*)\}/g, (_m, a: string) => `√${group(a)}`)
      .replace(/\\(tilde|bar|hat|vec|dot)\{([^{}]*)\}/g, (_m, acc: string, a: string) => accent(a, acc))
      .replace(/\\(tilde|bar|hat|vec|dot)\s+([A-Za-z])/g, (_m, acc: string, a: string) => accent(a, acc))
      .replace(/\^\{\\top\}|\^\\top|\^T\b/g, 'ᵀ')
      .replace(/\^\{([^{}]*)\}/g, (_m, a: string) => `^${group(a)}`)
      .replace(/_\{([^{}]*)\}/g, (_m, a: string) => subscript(a));
    if (s === before) break;
  }
  s = symbols(s);
  s = s.replace(/_([A-Za-z0-9])(?![A-Za-z0-9])/g, (_m, c: string) => subscript(c)).replace(/[{}]/g, '');
  return s.replace(/\s+/g, ' ').trim().normalize('NFC');
}

function symbols(s: string): string {
  return s.replace(/\\([A-Za-z]+|[,;!|{}%_&#$ ])/g, (_m, name: string) => SYMBOLS[name] ?? name);
}

function group(a: string): string {
  const t = symbols(a.trim());
  return /^[\p{L}\p{N}_.∞√ᵀ]+$/u.test(t) ? t : `(${t})`;
}

function accent(a: string, acc: string): string {
  const t = symbols(a.trim());
  return [...t].length === 1 ? t + ACCENTS[acc] : `${acc}(${t})`;
}
