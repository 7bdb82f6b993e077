/**
 * The statistics page's plots: vega-lite specs rendered to SVG on the server (src/models/plots.ts,
 * as the labs' artefacts are), inlined with an accessible name and description, and each with its
 * data as a table beside it for whoever cannot see the picture.
 */
import { renderSvg, type Spec } from '../models/plots.js';
import type { Statistics } from '../stats/compute.js';
import { HtmlChunk } from './render.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface Chart {
  id: string;
  title: string;
  description: string;
  /** The SVG, with role="img" and its title and description (HTML this code made). */
  svg: HtmlChunk;
  /** The plotted data as a table: column names and rows of text. */
  table: { columns: string[]; rows: string[][] };
}

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)} %`);
const one = (x: number | null) => (x === null ? '—' : x.toFixed(1));

/** Escapes text for an SVG title or description. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

async function chart(id: string, title: string, description: string, spec: Spec, table: Chart['table']): Promise<Chart> {
  // The whole SVG is one image, named by its title and description.
  const raw = await renderSvg({ $schema: SCHEMA, ...spec, config: { aria: false, font: 'sans-serif' } });
  // vega still marks some groups and marks with ARIA roles: inside one named image they only add noise.
  const bare = raw.replace(/ (role|aria-[a-z]+)="[^"]*"/g, '');
  const svg = bare.replace(
    /^<svg ([^>]*)>/,
    `<svg role="img" aria-labelledby="${id}-t ${id}-d" focusable="false" $1><title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(description)}</desc>`,
  );
  return { id, title, description, svg: new HtmlChunk(svg), table };
}

export async function statisticsCharts(s: Statistics): Promise<Chart[]> {
  const charts: Chart[] = [];
  const bins = s.summary.histogram.map((b) => ({ bin: `${b.from}–${b.to}`, count: b.count, order: b.from }));
  const peak = bins.reduce((m, b) => (b.count > m.count ? b : m), bins[0]);
  charts.push(
    await chart(
      'hist',
      'Score histogram',
      s.summary.n === 0
        ? 'No respondents yet: every bin is empty.'
        : `Totals of ${s.summary.n} respondents in percent of the maximum, in ten bins of 10 points; the most (${peak.count}) are in ${peak.bin} %.`,
      {
        width: 480,
        height: 180,
        data: { values: bins },
        mark: { type: 'bar', color: '#3b6ea5' },
        encoding: {
          x: { field: 'bin', type: 'ordinal', sort: { field: 'order' }, title: 'score (% of maximum)', axis: { labelAngle: 0 } },
          y: { field: 'count', type: 'quantitative', title: 'respondents', axis: { tickMinStep: 1 } },
        },
      },
      { columns: ['score (% of maximum)', 'respondents'], rows: bins.map((b) => [b.bin, String(b.count)]) },
    ),
  );
  const steps = s.steps.map((x) => ({ label: `${x.item}. ${x.step}`, facility: x.facility ?? 0, known: x.facility !== null, discrimination: x.discrimination, order: s.steps.indexOf(x) }));
  if (steps.length > 0) {
    const hardest = [...s.steps].filter((x) => x.facility !== null).sort((a, b) => a.facility! - b.facility!)[0];
    charts.push(
      await chart(
        'facility',
        'Facility per step',
        `The share of the marks earned at each of ${steps.length} steps (0 to 100 %; a step nobody answered has none).${hardest ? ` The hardest is item ${hardest.item}, step ${hardest.step}, at ${pct(hardest.facility)}.` : ''}`,
        {
          width: 420,
          height: { step: 16 },
          data: { values: steps.filter((x) => x.known) },
          mark: { type: 'bar', color: '#2f7d4f' },
          encoding: {
            y: { field: 'label', type: 'ordinal', sort: { field: 'order' }, title: 'item. step' },
            x: { field: 'facility', type: 'quantitative', title: 'facility', scale: { domain: [0, 1] }, axis: { format: '%' } },
          },
        },
        { columns: ['item. step', 'facility'], rows: s.steps.map((x) => [`${x.item}. ${x.step}`, pct(x.facility)]) },
      ),
    );
    const known = steps.filter((x) => x.discrimination !== null);
    charts.push(
      await chart(
        'discrimination',
        'Discrimination index per step',
        `100 times the correlation of each step's mark with the rest of the exam (without the step's item); ${known.length} of ${steps.length} steps have one (a step or rest that does not vary has none). Below 0 the step favours weaker students.`,
        {
          width: 420,
          height: { step: 16 },
          data: { values: known },
          mark: { type: 'bar', color: '#8a4fa3' },
          encoding: {
            y: { field: 'label', type: 'ordinal', sort: { field: 'order' }, title: 'item. step' },
            x: { field: 'discrimination', type: 'quantitative', title: 'discrimination index', scale: { domain: [-100, 100] } },
          },
        },
        { columns: ['item. step', 'discrimination index'], rows: s.steps.map((x) => [`${x.item}. ${x.step}`, one(x.discrimination)]) },
      ),
    );
  }
  if (s.misconceptions.length > 0) {
    const rows = s.misconceptions.map((m, i) => ({ label: `${m.item}. ${m.step}: ${m.misconception}`, rate: m.rate, order: i }));
    charts.push(
      await chart(
        'misconceptions',
        'Misconceptions per step',
        `How often each misconception was the answer at a step, as a share of that step's respondents; ${rows.length} in all.`,
        {
          width: 420,
          height: { step: 16 },
          data: { values: rows },
          mark: { type: 'bar', color: '#b5562b' },
          encoding: {
            y: { field: 'label', type: 'ordinal', sort: { field: 'order' }, title: null, axis: { labelLimit: 320 } },
            x: { field: 'rate', type: 'quantitative', title: 'share of the step’s respondents', scale: { domain: [0, 1] }, axis: { format: '%' } },
          },
        },
        { columns: ['item. step: misconception', 'share'], rows: s.misconceptions.map((m) => [`${m.item}. ${m.step}: ${m.misconception}`, pct(m.rate)]) },
      ),
    );
  }
  return charts;
}
