/**
 * Plots for the labs' artefacts: vega-lite specs compiled by vega-lite, rendered to SVG by vega in
 * Node (no browser, no canvas) and to PNG by resvg. Nothing is drawn by hand.
 */
import type { Artefact } from './lab.js';

type Spec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface Point {
  x: number;
  y: number;
  /** Series or class, shown by colour. */
  group?: string;
}

export function scatter(o: { title: string; points: Point[]; xDomain?: [number, number]; yDomain?: [number, number]; size?: number }): Spec {
  return {
    $schema: SCHEMA,
    title: o.title,
    width: 320,
    height: 320,
    data: { values: o.points },
    mark: { type: 'circle', size: o.size ?? 12, opacity: 0.6 },
    encoding: {
      x: { field: 'x', type: 'quantitative', ...(o.xDomain ? { scale: { domain: o.xDomain } } : {}) },
      y: { field: 'y', type: 'quantitative', ...(o.yDomain ? { scale: { domain: o.yDomain } } : {}) },
      ...(o.points.some((p) => p.group !== undefined) ? { color: { field: 'group', type: 'nominal', title: null } } : {}),
    },
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
  return svg;
}

export async function renderPng(svg: string, width = 800): Promise<Uint8Array> {
  const { Resvg } = await load();
  return new Resvg(svg, { fitTo: { mode: 'width', value: width }, background: 'white' }).render().asPng();
}

/** A plot as two artefacts, name.svg and name.png. */
export async function plot(name: string, caption: string, spec: Spec): Promise<Artefact[]> {
  const svg = await renderSvg(spec);
  return [
    { file: `${name}.svg`, caption, content: svg },
    { file: `${name}.png`, caption, content: await renderPng(svg) },
  ];
}
