/**
 * KaTeX's stylesheet and fonts, served from the installed katex package at /assets/katex/, so
 * math on the tool's pages renders the same on every machine (KaTeX's HTML output with its own
 * fonts) instead of relying on the browser's MathML and math fonts (Chromium without a math font
 * drops a square root's radical sign).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { StepwiseError } from '../core/errors.js';
import { param, type RouteSpec } from '../api/route.js';

export const KATEX_ASSETS_PATH = '/assets/katex';

let distDir: string | undefined;
const katexDist = (): string => (distDir ??= dirname(createRequire(import.meta.url).resolve('katex')));

const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', woff2: 'font/woff2', woff: 'font/woff', ttf: 'font/ttf' };

function assetRoute(path: string, dir: string, pattern: RegExp, what: string): RouteSpec {
  return {
    method: 'get',
    path,
    summary: `KaTeX ${what} for the tool's pages`,
    tag: 'lti',
    access: 'public',
    responses: { 200: { description: what, contentType: 'text/css', also: ['font/woff2', 'font/woff', 'font/ttf'] } },
    handler: async (_ctx, req, res) => {
      const file = param(req, 'file');
      // Only KaTeX's own file names: no path separators, no dot files.
      if (!pattern.test(file)) throw new StepwiseError('not_found', `no KaTeX asset ${JSON.stringify(file)}`);
      const type = TYPES[file.slice(file.lastIndexOf('.') + 1)];
      await new Promise<void>((resolve, reject) => {
        res
          .type(type)
          .set('Cache-Control', 'public, max-age=86400')
          .set('Cross-Origin-Resource-Policy', 'same-origin')
          .sendFile(join(dir === '' ? katexDist() : join(katexDist(), dir), file), { dotfiles: 'deny' }, (err) => {
            if (!err) return resolve();
            if ((err as { status?: number }).status === 404) reject(new StepwiseError('not_found', `no KaTeX asset ${JSON.stringify(file)}`));
            else reject(err);
          });
      });
      return undefined;
    },
  };
}

export function katexAssetRoutes(): RouteSpec[] {
  return [
    assetRoute(`${KATEX_ASSETS_PATH}/:file`, '', /^katex(\.min)?\.css$/, 'stylesheet'),
    assetRoute(`${KATEX_ASSETS_PATH}/fonts/:file`, 'fonts', /^KaTeX_[\w-]+\.(woff2|woff|ttf)$/, 'fonts'),
  ];
}
