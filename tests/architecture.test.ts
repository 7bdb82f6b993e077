/**
 * The layers, read from the import statements of every file under src/: the engine and the service
 * know nothing of HTTP (no express, nothing from the edges), and the folders api, service, lti and
 * store import each other in one direction only (no cycle in the folder-level graph). A failure
 * prints the offending imports, file and line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** The edges: HTTP, LTI, the terminal and the web pages. Nothing below them may import them. */
const EDGES = ['api', 'lti', 'cli', 'pages'];
/** Folders (and top-level files) that must stay free of HTTP and of the edges. */
const INNER = ['service', 'stats', 'store', 'core', 'solvers', 'generators', 'topics', 'bank', 'render', 'exports', 'models', 'print', 'engine.ts'];
/** Packages only an edge may use. */
const EDGE_PACKAGES = ['express'];
/** The folders whose folder-level import graph must have no cycle. */
const ACYCLIC = ['api', 'service', 'lti', 'store'];

export interface Import {
  /** The importing file, relative to the repository root (posix separators). */
  file: string;
  line: number;
  /** As written: './x.js', 'express'. */
  specifier: string;
  /** For a relative specifier: the imported path relative to src/ (posix); else undefined. */
  target?: string;
}

// `import x from 'y'`, `import type { A } from 'y'`, `import 'y'`, `export * from 'y'`,
// `export { a } from 'y'` (the clause may span lines), and `import('y')` (dynamic or in a type).
const STATIC = /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"\n]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

/** The imports of one TypeScript source (comment blocks and whole-line comments are skipped). */
export function scanImports(source: string, file: string): Import[] {
  // Blank out comments, keeping offsets (so line numbers stay right).
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  const code = source.replace(/^[ \t]*\/\*[\s\S]*?\*\//gm, blank).replace(/^[ \t]*\/\/.*$/gm, blank);
  const found: Import[] = [];
  for (const re of [STATIC, DYNAMIC]) {
    for (const m of code.matchAll(re)) {
      const at = m.index + m[0].lastIndexOf(m[1]);
      const line = code.slice(0, at).split('\n').length;
      const specifier = m[1];
      const imp: Import = { file, line, specifier };
      if (specifier.startsWith('.')) {
        const abs = resolve(dirname(join(ROOT, file)), specifier);
        imp.target = relative(SRC, abs).split(sep).join('/');
      }
      found.push(imp);
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|cts)$/.test(d.name) && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The first path segment under src/ ('api', 'engine.ts'); '..' for a path outside src/. */
const unitOf = (srcPath: string): string => srcPath.split('/')[0];

const where = (i: Import): string => `${i.file}:${i.line} imports '${i.specifier}'`;

/** Every import that breaks a layer rule, as "file:line imports '…' (why)". */
export function layerViolations(imports: readonly Import[]): string[] {
  const out: string[] = [];
  for (const i of imports) {
    const from = unitOf(relative(SRC, join(ROOT, i.file)).split(sep).join('/'));
    if (!INNER.includes(from)) continue;
    if (i.target !== undefined) {
      const to = unitOf(i.target);
      if (EDGES.includes(to)) out.push(`${where(i)} (src/${from} may not depend on the edge src/${to})`);
    } else if (EDGE_PACKAGES.some((p) => i.specifier === p || i.specifier.startsWith(`${p}/`))) {
      out.push(`${where(i)} (src/${from} may not use ${i.specifier}: HTTP belongs to the edges)`);
    }
  }
  return out;
}

/**
 * The cycles of the folder-level graph over `folders`, each as the chain of imports that closes it:
 * "api → service → api: src/api/app.ts:26 imports '../service/attempts.js' → src/service/attempts.ts:8 imports '../api/route.js'".
 */
export function folderCycles(imports: readonly Import[], folders: readonly string[]): string[] {
  // One witness import per folder edge.
  const edge = new Map<string, Import>();
  for (const i of imports) {
    if (i.target === undefined) continue;
    const from = unitOf(relative(SRC, join(ROOT, i.file)).split(sep).join('/'));
    const to = unitOf(i.target);
    if (from === to || !folders.includes(from) || !folders.includes(to)) continue;
    if (!edge.has(`${from}>${to}`)) edge.set(`${from}>${to}`, i);
  }
  const next = (f: string) => folders.filter((g) => edge.has(`${f}>${g}`));
  const cycles: string[] = [];
  // Simple cycles, each found once: from its smallest folder (in `folders` order) onwards.
  const walk = (start: number, path: string[]): void => {
    for (const g of next(path[path.length - 1])) {
      if (g === folders[start]) {
        const chain = [...path, g].slice(1).map((to, k) => edge.get(`${path[k]}>${to}`)!);
        cycles.push(`${[...path, g].join(' → ')}: ${chain.map(where).join(' → ')}`);
      } else if (folders.indexOf(g) > start && !path.includes(g)) walk(start, [...path, g]);
    }
  };
  folders.forEach((f, k) => walk(k, [f]));
  return cycles;
}

function allImports(): Import[] {
  return sourceFiles(SRC).flatMap((p) => scanImports(readFileSync(p, 'utf8'), relative(ROOT, p).split(sep).join('/')));
}

describe('the import scanner', () => {
  it('finds static, type-only, re-export, multi-line and dynamic imports, with their lines', () => {
    const src = [
      "import express from 'express';", // 1
      "import type { Caller } from '../api/route.js';", // 2
      '/** a comment: import x from "../api/nope.js" */', // 3
      "export { a, b } from './local.js';", // 4
      'import {', // 5
      '  one,', // 6
      '  type Two,', // 7
      "} from '../lti/index.js';", // 8
      "const k = await import('../cli/main.js');", // 9
      "type M = typeof import('marked');", // 10
      "import '../store/side-effect.js';", // 11
      "// import y from '../api/commented.js'", // 12
      "export * as ns from '../render/html.js';", // 13
    ].join('\n');
    const found = scanImports(src, 'src/service/example.ts').map((i) => [i.line, i.specifier, i.target]);
    expect(found).toEqual([
      [1, 'express', undefined],
      [2, '../api/route.js', 'api/route.js'],
      [4, './local.js', 'service/local.js'],
      [8, '../lti/index.js', 'lti/index.js'],
      [9, '../cli/main.js', 'cli/main.js'],
      [10, 'marked', undefined],
      [11, '../store/side-effect.js', 'store/side-effect.js'],
      [13, '../render/html.js', 'render/html.js'],
    ]);
  });

  it('reports a layer violation and a cycle with the chain of imports', () => {
    const imports = [
      ...scanImports("import { HttpError } from '../api/problem.js';\nimport type { Request } from 'express';", 'src/service/a.ts'),
      ...scanImports("import { x } from '../service/a.js';", 'src/api/b.ts'),
      ...scanImports("import { y } from '../lti/c.js';", 'src/store/d.ts'),
      ...scanImports("import { z } from '../store/d.js';", 'src/lti/e.ts'),
    ];
    expect(layerViolations(imports)).toEqual([
      "src/service/a.ts:1 imports '../api/problem.js' (src/service may not depend on the edge src/api)",
      "src/service/a.ts:2 imports 'express' (src/service may not use express: HTTP belongs to the edges)",
      "src/store/d.ts:1 imports '../lti/c.js' (src/store may not depend on the edge src/lti)",
    ]);
    expect(folderCycles(imports, ACYCLIC)).toEqual([
      "api → service → api: src/api/b.ts:1 imports '../service/a.js' → src/service/a.ts:1 imports '../api/problem.js'",
      "lti → store → lti: src/lti/e.ts:1 imports '../store/d.js' → src/store/d.ts:1 imports '../lti/c.js'",
    ]);
  });
});

describe('the layers of src/', () => {
  const imports = allImports();

  it('reads the whole tree', () => {
    // A scanner that silently found nothing would pass everything below.
    expect(imports.length).toBeGreaterThan(300);
    expect(imports.some((i) => i.file === 'src/api/app.ts' && i.specifier === 'express')).toBe(true);
  });

  it('the engine, the store and the service import nothing from api, lti, cli, pages or express', () => {
    expect(layerViolations(imports)).toEqual([]);
  });

  it(`has no import cycle among src/${ACYCLIC.join(', src/')}`, () => {
    expect(folderCycles(imports, ACYCLIC)).toEqual([]);
  });
});
