/**
 * The README's console examples, run as written. Each ```console block runs as one bash script
 * (so shell variables carry from line to line) inside the repository folder, as a reader runs them
 * after `npm install`: `stepwise` is not on the PATH there, so the examples say `npx stepwise`
 * (npm runs the package's own bin). They run in a scratch folder under the repository's ignored
 * tmp/, so files they write stay out of the tree. STEPWISE_URL and KEY point at a real server
 * started for the test; STEPWISE_DB at a scratch file. The lines that are not commands must
 * appear in the block's output, in order; `...` skips lines, and a line ending in `...` only has to
 * start an output line.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_KEY, freePort, startStepwise, stop, type Child } from '../bench/servers.js';
import { ROOT } from './cli-helpers.js';

interface Block {
  commands: string[];
  expected: string[];
}

function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/```console\n([\s\S]*?)```/g)].map((m) => {
    const b: Block = { commands: [], expected: [] };
    for (const line of m[1].split('\n')) {
      if (line.startsWith('$ ')) b.commands.push(line.slice(2));
      else if (line.trim() !== '') b.expected.push(line);
    }
    return b;
  });
}

mkdirSync(join(ROOT, 'tmp'), { recursive: true });
const work = mkdtempSync(join(ROOT, 'tmp', 'readme-'));
/** A bare `stepwise` at the start of a command or after a pipe: not on the PATH after `npm install`. */
const BARE = /(^|[|;&]\s*|\$\(\s*)stepwise\b/;

let server: Child;
beforeAll(async () => {
  server = await startStepwise(join(work, 'readme.db'), await freePort());
});
afterAll(async () => {
  await stop(server);
  rmSync(work, { recursive: true, force: true });
});

describe('README examples', () => {
  const list = blocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  it('has examples to run, for the CLI and the API', () => {
    expect(list.length).toBeGreaterThanOrEqual(8);
    expect(list.some((b) => b.commands.some((c) => c.includes('curl')))).toBe(true);
    expect(list.some((b) => b.commands.some((c) => c.includes('npx stepwise')))).toBe(true);
  });

  it('runs the command line as `npx stepwise`, which works after `npm install` (no bare `stepwise`)', () => {
    const markdown = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const code = [...markdown.matchAll(/```(?:console|sh|bash)\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n'));
    const bare = code.map((l) => l.replace(/^\$ /, '')).filter((l) => BARE.test(l));
    expect(bare).toEqual([]);
  });

  for (const b of list) {
    it(b.commands[0].slice(0, 90), () => {
      // `echo` after each command: curl prints no final newline, and outputs must not run together.
      const script = ['set -eo pipefail', ...b.commands.map((c) => `${c}\necho`)].join('\n');
      const r = spawnSync('bash', ['-c', script], {
        encoding: 'utf8',
        cwd: work,
        // npm_config_yes=false: npx must find the package's own bin, never fetch one from a registry.
        env: { ...process.env, npm_config_yes: 'false', STEPWISE_DB: join(work, 'cli.db'), STEPWISE_URL: server.url, KEY: BENCH_KEY },
      });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.split('\n').map((l) => l.trimEnd());
      let at = 0;
      for (const want of b.expected) {
        if (want === '...') continue;
        const prefix = want.endsWith('...') ? want.slice(0, -3) : undefined;
        const found = lines.findIndex((l, i) => i >= at && (prefix !== undefined ? l.startsWith(prefix) : l === want.trimEnd()));
        expect(found, `"${want}" in:\n${r.stdout}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    });
  }
});
