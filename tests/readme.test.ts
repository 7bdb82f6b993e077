/**
 * The README's console examples, run as written: each `$ ` line is a shell command (with `stepwise`
 * on the PATH); the lines after it must appear in its output, in order. `...` skips lines, and a
 * line ending in `...` only has to start an output line.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from './cli-helpers.js';

interface Example {
  command: string;
  expected: string[];
}

function examples(markdown: string): Example[] {
  const out: Example[] = [];
  for (const block of markdown.matchAll(/```console\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) {
      if (line.startsWith('$ ')) out.push({ command: line.slice(2), expected: [] });
      else if (line.trim() !== '' && out.length > 0) out[out.length - 1].expected.push(line);
    }
  }
  return out;
}

const bin = mkdtempSync(join(tmpdir(), 'stepwise-bin-'));
writeFileSync(join(bin, 'stepwise'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
chmodSync(join(bin, 'stepwise'), 0o755);

describe('README examples', () => {
  const list = examples(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  it('has examples to run', () => {
    expect(list.length).toBeGreaterThanOrEqual(5);
  });

  for (const ex of list) {
    it(ex.command.slice(0, 80), () => {
      const r = spawnSync('bash', ['-c', ex.command], {
        encoding: 'utf8',
        cwd: ROOT,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.split('\n').map((l) => l.trimEnd());
      let at = 0;
      for (const want of ex.expected) {
        if (want === '...') continue;
        const prefix = want.endsWith('...') ? want.slice(0, -3) : undefined;
        const found = lines.findIndex((l, i) => i >= at && (prefix !== undefined ? l.startsWith(prefix) : l === want.trimEnd()));
        expect(found, `"${want}" in:\n${r.stdout}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    });
  }
});
