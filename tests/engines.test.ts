/**
 * `npm install` prints no EBADENGINE warning on any Node the project supports: every package the
 * lockfile installs accepts the lowest version of each line in the project's own engines field
 * (^20.19 || ^22.13 || ^24) and Node 24.0. katex 0.19 pulls commander 15 (Node ≥ 22.12), so
 * package.json overrides katex's commander to 14; @napi-rs/wasm-runtime (in rolldown's optional WASM
 * build, under vitest) sets the 22 line's floor at 22.13.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli-helpers.js';

type Version = [number, number, number];

/** "20", "20.19", "10.x", "12.*" as a version; wildcard or missing parts are 0, and `wild` says where they start. */
function parse(text: string): { v: Version; wild: number } {
  const parts = text.replace(/^v/, '').split('.');
  const v: Version = [0, 0, 0];
  let wild = 3;
  for (let i = 0; i < 3; i++) {
    const p = parts[i];
    if (p === undefined || p === 'x' || p === 'X' || p === '*') {
      wild = Math.min(wild, i);
      continue;
    }
    v[i] = Number(p);
  }
  return { v, wild };
}

/** The lowest version each alternative of a range admits: "^20.19 || ^22.13 || ^24" → 20.19.0, 22.13.0, 24.0.0. */
function floors(range: string): Version[] {
  return range.split('||').map((alt) => parse(alt.trim().split(/\s+/)[0]!.replace(/^(>=|\^|~|=)/, '')).v);
}

const cmp = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Enough of npm's range syntax for engines fields: ||, space-joined comparators, ^, ~, x-ranges. */
function satisfies(node: Version, range: string): boolean {
  return range.split('||').some((alt) => {
    const tokens = alt.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return tokens.every((t) => {
      if (t === '*' || t === 'x') return true;
      const [, op, rest] = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(t)!;
      const { v, wild } = parse(rest);
      const c = cmp(node, v);
      switch (op) {
        case '>=':
          return c >= 0;
        case '>':
          return c > 0;
        case '<=':
          return c <= 0;
        case '<':
          return c < 0;
        case '^':
          return c >= 0 && (v[0] > 0 ? node[0] === v[0] : node[0] === 0 && node[1] === v[1]);
        case '~':
          return c >= 0 && node[0] === v[0] && node[1] === v[1];
        default:
          return v.slice(0, wild).every((x, i) => node[i] === x);
      }
    });
  });
}

describe('engines', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
  };

  it('reads ranges as npm does', () => {
    expect(satisfies([20, 19, 0], '>=22.12.0')).toBe(false);
    expect(satisfies([20, 19, 0], '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies([20, 19, 0], '^18.17.0 || >=20.5.0')).toBe(true);
    expect(satisfies([20, 19, 0], '10.* || >= 12.*')).toBe(true);
    expect(satisfies([20, 19, 0], '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(true);
    expect(satisfies([24, 0, 0], '20.x || 22.x || 23.x || 24.x || 25.x')).toBe(true);
    expect(satisfies([21, 0, 0], '20.x || 22.x')).toBe(false);
  });

  it('states the supported Node lines (20.19+, 22.13+, 24) and none newer that nobody ran', () => {
    const range = pkg.engines.node;
    expect(floors(range)).toEqual([
      [20, 19, 0],
      [22, 13, 0],
      [24, 0, 0],
    ]);
    for (const ok of [[20, 19, 0], [20, 20, 2], [22, 13, 0], [24, 0, 0], [24, 22, 3]] as Version[]) expect(satisfies(ok, range), ok.join('.')).toBe(true);
    for (const no of [[20, 18, 9], [21, 7, 0], [22, 12, 0], [23, 0, 0], [25, 0, 0], [26, 0, 0]] as Version[]) expect(satisfies(no, range), no.join('.')).toBe(false);
  });

  const lines = floors(pkg.engines.node);
  if (!lines.some((v) => cmp(v, [24, 0, 0]) === 0)) lines.push([24, 0, 0]);
  for (const node of lines) {
    it(`every locked package accepts Node ${node.join('.')}`, () => {
      const refused = Object.entries(lock.packages)
        .filter(([path, p]) => path !== '' && p.engines && !Array.isArray(p.engines) && p.engines.node && !satisfies(node, p.engines.node))
        .map(([path, p]) => `${path}@${p.version}: node ${(p.engines as { node: string }).node}`);
      expect(refused).toEqual([]);
    });
  }
});
