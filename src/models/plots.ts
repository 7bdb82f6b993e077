/**
 * Plots for the labs' artefacts: vega-lite specs compiled by vega-lite, rendered to SVG by vega in
 * Node (no browser, no canvas) and to PNG by resvg. Nothing is drawn by hand.
 */
import type { Artefact } from './lab.js';

export type Spec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface Point {
  x: number;
  y: number;
  /** Series or class, shown by colour. */
  group?: string;
}

/** A text written at a point of a scatter plot, e.g. a count beside a cluster. */
export interface Label {
  x: number;
  y: number;
  text: string;
}

/** Whether a point lies in the plotted square (both domains given) or anywhere (no domain). */
export function inDomain(p: { x: number; y: number }, xDomain?: [number, number], yDomain?: [number, number]): boolean {
  return (!xDomain || (p.x >= xDomain[0] && p.x <= xDomain[1])) && (!yDomain || (p.y >= yDomain[0] && p.y <= yDomain[1]));
}

/**
 * Points over fixed domains are filtered to them and the marks clipped: a point outside the axes is
 * left out (the caller says how many), never drawn over the edge or piled on the border.
 */
export function scatter(o: { title: string; points: Point[]; xDomain?: [number, number]; yDomain?: [number, number]; size?: number; labels?: Label[] }): Spec {
  const x = { field: 'x', type: 'quantitative', title: 'x', ...(o.xDomain ? { scale: { domain: o.xDomain, nice: false } } : {}) };
  const y = { field: 'y', type: 'quantitative', title: 'y', ...(o.yDomain ? { scale: { domain: o.yDomain, nice: false } } : {}) };
  const dots = {
    data: { values: o.points.filter((p) => inDomain(p, o.xDomain, o.yDomain)) },
    mark: { type: 'circle', size: o.size ?? 12, opacity: 0.6, clip: true },
    encoding: { x, y, ...(o.points.some((p) => p.group !== undefined) ? { color: { field: 'group', type: 'nominal', title: null, legend: { labelLimit: 300, orient: 'bottom', direction: 'vertical' } } } : {}) },
  };
  const labels = (o.labels ?? []).filter((l) => inDomain(l, o.xDomain, o.yDomain));
  return {
    $schema: SCHEMA,
    title: o.title,
    width: 320,
    height: 320,
    layer: [
      dots,
      ...(labels.length > 0
        ? [{ data: { values: labels }, mark: { type: 'text', fontSize: 11, fontWeight: 'bold', clip: true }, encoding: { x, y, text: { field: 'text', type: 'nominal' } } }]
        : []),
    ],
  };
}

export function lines(o: { title: string; series: { name: string; points: { x: number; y: number }[] }[]; xTitle: string; yTitle: string; logY?: boolean }): Spec {
  return {
    $schema: SCHEMA,
    title: o.title,
    width: 420,
    height: 240,
    data: { values: o.series.flatMap((s) => s.points.map((p) => ({ ...p, series: s.name }))) },
    mark: { type: 'line' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: o.xTitle },
      y: { field: 'y', type: 'quantitative', title: o.yTitle, ...(o.logY ? { scale: { type: 'log' } } : {}) },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

/** A matrix as coloured cells (row 0 at the top), with optional labels and the values written in. */
export function heatmap(o: {
  title: string;
  matrix: number[][];
  rowLabels?: string[];
  colLabels?: string[];
  domain?: [number, number];
  showValues?: boolean;
  xTitle?: string;
  yTitle?: string;
}): Spec {
  const values = o.matrix.flatMap((row, i) =>
    row.map((v, j) => ({ row: o.rowLabels?.[i] ?? String(i), col: o.colLabels?.[j] ?? String(j), v, r: i, c: j })),
  );
  const size = Math.max(8, Math.min(40, Math.floor(360 / Math.max(o.matrix.length, o.matrix[0]?.length ?? 1))));
  const base = {
    x: { field: 'col', type: 'ordinal', sort: { field: 'c' }, title: o.xTitle ?? null },
    y: { field: 'row', type: 'ordinal', sort: { field: 'r' }, title: o.yTitle ?? null },
  };
  return {
    $schema: SCHEMA,
    title: o.title,
    data: { values },
    width: { step: size },
    height: { step: size },
    layer: [
      { mark: 'rect', encoding: { ...base, color: { field: 'v', type: 'quantitative', title: null, ...(o.domain ? { scale: { domain: o.domain } } : {}) } } },
      ...(o.showValues ? [{ mark: { type: 'text', fontSize: 9 }, encoding: { ...base, text: { field: 'v', type: 'quantitative', format: '.2f' } } }] : []),
    ],
  };
}

/**
 * A function sampled on a regular grid (values[i][j] at (xs[j], ys[i])) as coloured cells on numeric
 * axes: a few round ticks instead of one label per cell, so a 40 × 40 grid stays readable.
 */
export function fieldHeatmap(o: { title: string; xs: number[]; ys: number[]; values: number[][]; domain?: [number, number]; xTitle?: string; yTitle?: string; legend?: string }): Spec {
  const half = (v: number[]): number => (v.length > 1 ? Math.abs(v[1] - v[0]) / 2 : 0.5);
  const [hx, hy] = [half(o.xs), half(o.ys)];
  // Each cell reaches a little into its right and upper neighbours (drawn over it), so antialiasing leaves no white seams.
  const [ox, oy] = [hx * 0.15, hy * 0.15];
  const values = o.values.flatMap((row, i) => row.map((v, j) => ({ x0: o.xs[j] - hx, x1: o.xs[j] + hx + ox, y0: o.ys[i] - hy, y1: o.ys[i] + hy + oy, v })));
  const span = (v: number[], h: number): [number, number] => [Math.min(...v) - h, Math.max(...v) + h];
  return {
    $schema: SCHEMA,
    title: o.title,
    width: 300,
    height: 300,
    data: { values },
    mark: { type: 'rect', clip: true },
    encoding: {
      x: { field: 'x0', type: 'quantitative', title: o.xTitle ?? 'x', scale: { domain: span(o.xs, hx), nice: false, zero: false }, axis: { tickCount: 6 } },
      x2: { field: 'x1' },
      y: { field: 'y0', type: 'quantitative', title: o.yTitle ?? 'y', scale: { domain: span(o.ys, hy), nice: false, zero: false }, axis: { tickCount: 6 } },
      y2: { field: 'y1' },
      color: { field: 'v', type: 'quantitative', title: o.legend ?? null, ...(o.domain ? { scale: { domain: o.domain } } : {}) },
    },
  };
}

/** The spec with its title prefixed (e.g. "Run A · "): how a question's letter reaches the picture. */
export function prefixTitle(spec: Spec, prefix: string): Spec {
  const t = spec.title;
  const text = typeof t === 'string' ? t : t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string' ? (t as { text: string }).text : '';
  return { ...spec, title: text ? `${prefix}${text}` : prefix.replace(/\s*·\s*$/, '') };
}

/** Small images side by side: each pixels[y][x] is a grey level or an [r, g, b] triple, in 0 … 1. */
export function images(o: { title: string; images: { title: string; pixels: (number | number[])[][] }[]; pixelSize?: number }): Spec {
  const px = o.pixelSize ?? 6;
  const hex = (v: number | number[]): string => {
    const [r, g, b] = (Array.isArray(v) ? v : [v, v, v]).map((c) => Math.round(Math.max(0, Math.min(1, c)) * 255));
    return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
  };
  return {
    $schema: SCHEMA,
    title: o.title,
    hconcat: o.images.map((img) => ({
      title: img.title,
      data: { values: img.pixels.flatMap((row, y) => row.map((v, x) => ({ x, y, color: hex(v) }))) },
      width: { step: px },
      height: { step: px },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'x', type: 'ordinal', axis: null },
        y: { field: 'y', type: 'ordinal', axis: null },
        color: { field: 'color', type: 'nominal', scale: null, legend: null },
      },
    })),
  };
}

let libs: Promise<{ vega: typeof import('vega'); vl: typeof import('vega-lite'); Resvg: typeof import('@resvg/resvg-js').Resvg }> | undefined;

function load() {
  libs ??= Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]).then(([vega, vl, resvg]) => ({ vega, vl, Resvg: resvg.Resvg }));
  return libs;
}

export async function renderSvg(spec: Spec): Promise<string> {
  const { vega, vl } = await load();
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  // vega numbers clip paths across the whole process (clip1, clip2, …): renumbered per picture, so a
  // plot renders to the same SVG whatever was drawn before it.
  const ids = new Map<string, string>();
  return svg.replace(/(id="|url\(#)clip(\d+)/g, (_, pre: string, n: string) => {
    if (!ids.has(n)) ids.set(n, String(ids.size + 1));
    return `${pre}clip${ids.get(n)}`;
  });
}

export async function renderPng(svg: string, width = 800): Promise<Uint8Array> {
  const { Resvg } = await load();
  return new Resvg(svg, { fitTo: { mode: 'width', value: width }, background: 'white' }).render().asPng();
}

/** The file beside a plot's .svg and .png holding its vega-lite spec, from which a question re-renders it under a run letter. */
export const SPEC_SUFFIX = '.vl.json';

/**
 * A plot as three artefacts: name.svg, name.png and its spec (name.vl.json). A student may be shown
 * any of them, so the title and caption must not name the run or state a metric a question asks for.
 */
export async function plot(name: string, caption: string, spec: Spec): Promise<Artefact[]> {
  const svg = await renderSvg(spec);
  return [
    { file: `${name}.svg`, caption, content: svg },
    { file: `${name}.png`, caption, content: await renderPng(svg) },
    { file: `${name}${SPEC_SUFFIX}`, caption, content: JSON.stringify(spec) },
  ];
}
