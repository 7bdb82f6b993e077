/** Number formatting for prompts, solutions and terminal output. */
import type { Value } from './values.js';

/**
 * A computed number as a person writes it: 4 decimal places with trailing zeros dropped, or 4
 * significant figures when it is smaller than 0.001 (so 0.00004321 does not print as 0).
 */
export function formatNumber(x: number, places = 4): string {
  if (x === -Infinity) return '-∞';
  if (x === Infinity) return '∞';
  if (Number.isNaN(x)) return 'NaN';
  if (x === 0) return '0';
  // Fast path: parameters are short decimals that already print as they should (0.3, -1.25).
  const plain = String(x);
  if (plain.length <= places + 3 && !plain.includes('e')) {
    const dot = plain.indexOf('.');
    if (dot < 0 || plain.length - dot - 1 <= places) return plain;
  }
  if (Math.abs(x) < 10 ** -(places - 1)) return String(Number(x.toPrecision(places)));
  const s = x.toFixed(places).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/** A value as plain text: numbers, [a, b], [[a, b], [c, d]], class names as they are. */
export function formatValue(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  return `[${(v as unknown[]).map((x) => formatValue(x as Value)).join(', ')}]`;
}

/** A value as TeX: bmatrix for vectors (one row) and matrices, \text{} for labels. */
export function texValue(v: Value): string {
  if (typeof v === 'string') return `\\text{${v.replace(/[\\{}$&#^_%~]/g, (c) => `\\${c}`)}}`;
  if (typeof v === 'number') return texNumber(v);
  if (v.length > 0 && Array.isArray(v[0])) {
    return `\\begin{bmatrix} ${(v as number[][]).map((row) => row.map(texNumber).join(' & ')).join(' \\\\ ')} \\end{bmatrix}`;
  }
  return `\\begin{bmatrix} ${(v as number[]).map(texNumber).join(' & ')} \\end{bmatrix}`;
}

export function texNumber(x: number): string {
  if (x === -Infinity) return '-\\infty';
  const s = formatNumber(x);
  return s.includes('e') ? s.replace(/e([+-]?)(\d+)/, (_m, sign: string, exp: string) => ` \\times 10^{${sign === '-' ? '-' : ''}${exp}}`) : s;
}
