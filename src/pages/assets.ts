/**
 * The pages' own stylesheet and script (templates/pages/assets/), served with cache headers. The
 * names are a fixed list, so no request can reach another file. Cached for an hour and revalidated
 * by ETag (express's sendFile), so a new release is picked up without renaming files.
 */
import { join } from 'node:path';
import type { Request, Response, NextFunction } from 'express';
import { PAGES_TEMPLATES_DIR } from './render.js';

const FILES: Record<string, string> = {
  'pages.css': 'text/css; charset=utf-8',
  'pages.js': 'text/javascript; charset=utf-8',
};

export function pageAssetRoute(req: Request, res: Response, next: NextFunction): void {
  const file = String(req.params.file);
  const type = Object.hasOwn(FILES, file) ? FILES[file] : undefined;
  if (!type) return next();
  res
    .type(type)
    .set('Cache-Control', 'public, max-age=3600')
    .set('Cross-Origin-Resource-Policy', 'same-origin')
    .sendFile(join(PAGES_TEMPLATES_DIR, 'assets', file), (err) => {
      if (err) next(err);
    });
}
