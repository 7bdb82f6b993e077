/**
 * The package root, found from this file: sources run from src/ (tests) and from dist/src/ (the
 * built CLI), at different depths, so walk up to the package.json rather than guess.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'stepwise') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('stepwise: cannot find the package root (package.json named "stepwise")');
    dir = up;
  }
}

export const PACKAGE_ROOT = findRoot();
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');
export const QUESTION_BANK_DIR = join(PACKAGE_ROOT, 'question-bank');
