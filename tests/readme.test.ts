/**
 * The README's console examples, run as written. Each ```console block runs as one bash script
 * (so shell variables carry from line to line) with `stepwise` on the PATH, and with STEPWISE_URL
 * and KEY pointing at a real server started for the test. The lines that are not commands must
 * appear in the block's output, in order; `...` skips lines, and a line ending in `...` only has to
 * start an output line.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_KEY, freePort, startStepwise, stop, type Child } from '../bench/servers.js';
import { CLI, ROOT } from './cli-helpers.js';

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

const work = mkdtempSync(join(tmpdir(), 'stepwise-readme-'));
writeFileSync(join(work, 'stepwise'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
chmodSync(join(work, 'stepwise'), 0o755);

let server: Child;
beforeAll(async () => {
  server = await startStepwise(join(work, 'readme.db'), await freePort());
});
afterAll(() => stop(server));

describe('README examples', () => {
  const list = blocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  it('has examples to run, for the CLI and the API', () => {
    expect(list.length).toBeGreaterThanOrEqual(8);
    expect(list.some((b) => b.commands.some((c) => c.includes('curl')))).toBe(true);
  });

  for (const b of list) {
    it(b.commands[0].slice(0, 90), () => {
      // `echo` after each command: curl prints no final newline, and outputs must not run together.
      const script = ['set -eo pipefail', ...b.commands.map((c) => `${c}\necho`)].join('\n');
      const r = spawnSync('bash', ['-c', script], {
        encoding: 'utf8',
        cwd: work,
        env: { ...process.env, PATH: `${work}:${process.env.PATH}`, STEPWISE_URL: server.url, KEY: BENCH_KEY },
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
