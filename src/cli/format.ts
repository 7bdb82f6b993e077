/** Human-readable output for the CLI: solutions, grades, topic lists. */
import { formatNumber } from '../core/format.js';
import type { Value } from '../core/values.js';
import type { GradeResult, Solution, StepStatus, TopicInfo } from '../engine.js';

const MARK: Record<StepStatus, string> = {
  correct: '✔',
  carried: '↪',
  partial: '◐',
  incorrect: '✘',
  invalid: '?',
  missing: '·',
};

/** A value as text; a matrix as aligned rows, indented under its label. */
export function valueText(v: Value, indent = '    '): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (v.length > 0 && Array.isArray(v[0])) {
    const rows = (v as number[][]).map((r) => r.map((x) => formatNumber(x)));
    const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
    return rows.map((r) => `${indent}[ ${r.map((c, j) => c.padStart(widths[j])).join('  ')} ]`).join('\n').trimStart();
  }
  return `[${(v as number[]).map((x) => formatNumber(x)).join(', ')}]`;
}

function labelled(label: string, v: Value, lead = '  '): string {
  const head = `${lead}${label}: `;
  return head + valueText(v, ' '.repeat(head.length));
}

export function solutionText(s: Solution): string {
  return [`${s.topic}`, ...s.steps.map((st) => labelled(`${st.label} (${st.id})`, st.value)), ...(s.warnings ?? []).map((w) => `  warning: ${w}`)].join('\n');
}

export function gradeText(g: GradeResult, showExpected = true): string {
  const lines = [`${g.topic}: ${formatNumber(g.score)} / ${formatNumber(g.maxScore)}`];
  for (const s of g.steps) {
    lines.push(`  ${MARK[s.status]} ${s.label} (${s.id}) — ${s.status}, ${formatNumber(s.credit)}/${formatNumber(s.marks)}: ${s.feedback}`);
    if (s.misconception) lines.push(`      misconception: ${s.misconception.id}`);
    if (showExpected && s.status !== 'correct') {
      if (s.carriedValue !== undefined) lines.push(labelled('from your values', s.carriedValue, '      '));
      lines.push(labelled('expected', s.expected, '      '));
    }
  }
  for (const w of g.warnings ?? []) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

export function topicsText(topics: TopicInfo[]): string {
  const width = Math.max(...topics.map((t) => t.id.length));
  return topics
    .map((t) => `${t.id.padEnd(width)}  ${t.title}\n${' '.repeat(width + 2)}steps: ${t.steps.map((s) => s.id).join(', ')}`)
    .join('\n');
}
