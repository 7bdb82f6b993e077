/**
 * `stepwise exam print` as a user runs it (the built CLI, npm test builds it): files in --out, the
 * no-Chromium path (exit 3, the install message, HTML and LaTeX written anyway) and bad input.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { CLI, ROOT } from '../cli-helpers.js';
import { installed } from '../browser.js';
import { printFixture } from './fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-print-cli-'));
const db = join(dir, 'exams.db');
let examId: string;

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 120_000, env: { ...process.env, STEPWISE_DB: db, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  const store = SqliteStore.open({ file: db });
  examId = (await printFixture(store)).exam.id;
  await store.close();
});

describe('stepwise exam print', () => {
  it('without Chromium: says how to install one, exits 3, and still writes HTML and LaTeX', () => {
    const out = join(dir, 'no-chromium');
    const r = run(['exam', 'print', examId, '--out', out, '--forms', 'B'], { STEPWISE_CHROMIUM: '/nonexistent' });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('STEPWISE_CHROMIUM=/nonexistent is not an executable file');
    expect(r.stderr).toContain('apt-get install chromium');
    expect(readdirSync(out).sort()).toEqual(['form-B.html', 'form-B.tex', 'key-B.html', 'key-B.tex']);
    expect(readFileSync(join(out, 'form-B.tex'), 'utf8')).toContain('\\documentclass');
    expect(readFileSync(join(out, 'key-B.html'), 'utf8')).toContain('data-header="Midterm · Form B · answer key"');
  });

  it('writes only what --format asks for, as JSON under --json', () => {
    const out = join(dir, 'tex');
    const r = run(['exam', 'print', examId, '--out', out, '--format', 'tex', '--no-keys', '--json']);
    expect(r.status).toBe(0);
    const body = JSON.parse(r.stdout) as { ok: boolean; files: { path: string; format: string }[] };
    expect(body.ok).toBe(true);
    expect(body.files.map((f) => f.path)).toEqual(['A', 'B', 'C'].map((l) => join(out, `form-${l}.tex`)));
    expect(readdirSync(out)).toHaveLength(3);
  });

  it.runIf(installed)('prints PDFs with Debian chromium', () => {
    const out = join(dir, 'pdf');
    const r = run(['exam', 'print', examId, '--out', out, '--forms', 'a']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trimEnd()).toMatch(/^wrote .*form-A\.pdf \(\d+ pages\)\nwrote .*key-A\.pdf \(\d+ pages\)$/);
    expect(readFileSync(join(out, 'key-A.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('names bad input and exits 2', () => {
    const f = run(['exam', 'print', examId, '--out', join(dir, 'x'), '--format', 'docx']);
    expect(f.status).toBe(2);
    expect(f.stderr).toContain('--format must be pdf, html or tex');
    const l = run(['exam', 'print', examId, '--out', join(dir, 'x'), '--forms', 'Z', '--format', 'tex']);
    expect(l.status).toBe(2);
    expect(l.stderr).toContain('no form "Z": this exam has 3 forms (A, B, C)');
    const e = run(['exam', 'print', 'exm_missing', '--out', join(dir, 'x')]);
    expect(e.status).toBe(2);
    expect(e.stderr).toContain('no exam with id "exm_missing"');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
