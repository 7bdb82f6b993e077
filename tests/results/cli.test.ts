/**
 * `stepwise exam create/show/grade/results` end to end: the built CLI against a temporary
 * STEPWISE_DB, as an instructor would run it. Expected scores are worked out here by hand from the
 * frozen params, not taken from the grader.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { CLI, ROOT } from '../cli-helpers.js';

let dir: string;
let db: string;
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, timeout: 60_000, env: { ...process.env, STEPWISE_DB: db, STEPWISE_SECRET: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-exam-cli-'));
  db = join(dir, 'exam.db');
  void ROOT;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const YAML = `# a midterm in two forms
title: Midterm
versions: 2
seed: 7
blueprint:
  - topic: kl-discrete
    count: 1
    difficulty: easy
  - topic: self-attention
    count: 1
feedback: status
`;

interface Shown {
  exam: { id: string; title: string; versions: number };
  forms: { form: string; version: number; items: { item: number; topic: string; params: { p: number[]; q: number[]; base?: string }; steps: string[] }[] }[];
}

describe('stepwise exam', () => {
  let examId: string;
  let shown: Shown;
  const ids: Record<string, string> = {};

  it('creates an exam from YAML and prints its id', () => {
    writeFileSync(join(dir, 'exam.yaml'), YAML);
    const r = run(['exam', 'create', '--blueprint', 'exam.yaml']);
    expect(r.stderr).toContain('2 forms × 2 items');
    expect(r.status).toBe(0);
    examId = r.stdout.trim();
    expect(examId).toMatch(/^exm_[\w-]+$/);
  });

  it('creates one from JSON too, with --json', () => {
    writeFileSync(join(dir, 'exam.json'), JSON.stringify({ title: 'Quiz', versions: 3, seed: 1, blueprint: [{ topic: 'kl-discrete', count: 2 }] }));
    const r = run(['exam', 'create', '--blueprint', 'exam.json', '--json']);
    expect(r.status).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.title).toBe('Quiz');
    expect(e.manifest).toHaveLength(3);
    expect(e.manifest.every((v: unknown[]) => v.length === 2)).toBe(true);
  });

  it('names the field and the line of a bad blueprint, exit 2, storing nothing', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'title: Bad\nversions: 1\nblueprint:\n  - topic: kl-discrete\n    count: 0\n');
    const bad = run(['exam', 'create', '--blueprint', 'bad.yaml']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('bad.yaml line 5');
    expect(bad.stderr).toContain('blueprint[0].count');
    writeFileSync(join(dir, 'bad2.yaml'), 'title: Bad\nversions: 1\nblueprint:\n  - topic: kl-discrete\n    count: 1\n  - topic: no-such-topic\n    count: 1\n');
    const unknown = run(['exam', 'create', '--blueprint', 'bad2.yaml']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('bad2.yaml line 6');
    expect(unknown.stderr).toContain('no-such-topic');
    writeFileSync(join(dir, 'bad.json'), '{"title": "Bad",\n "versions": 0,\n "blueprint": [{"topic": "kl-discrete", "count": 1}]}');
    const json = run(['exam', 'create', '--blueprint', 'bad.json']);
    expect(json.status).toBe(2);
    expect(json.stderr).toMatch(/bad\.json line 2: versions must be >= 1/);
    writeFileSync(join(dir, 'syntax.yaml'), 'title: x\n  versions: 1\n');
    expect(run(['exam', 'create', '--blueprint', 'syntax.yaml']).stderr).toMatch(/syntax\.yaml line 1: not valid YAML/);
    const store = SqliteStore.open({ file: db });
    return store.exams.list().then(async (exams) => {
      await store.close();
      expect(exams.map((e) => e.title).sort()).toEqual(['Midterm', 'Quiz']);
    });
  });

  it('shows the frozen forms in order with params and asked steps', () => {
    const r = run(['exam', 'show', examId, '--json']);
    expect(r.status).toBe(0);
    shown = JSON.parse(r.stdout);
    expect(shown.forms.map((f) => f.form)).toEqual(['A', 'B']);
    for (const f of shown.forms) {
      expect(f.items.map((i) => [i.item, i.topic])).toEqual([
        [1, 'kl-discrete'],
        [2, 'self-attention'],
      ]);
      expect(f.items[0].steps).toEqual(['log_ratio', 'terms', 'kl']);
      expect(f.items[0].params.p).toHaveLength(f.items[0].params.q.length);
    }
    // The forms differ (each its own seeds): whole forms, since the two easy KL items alone are the
    // same problem about once in 20,000 exams (their secret seeds draw P and Q in hundredths).
    expect(shown.forms[0].items.map((i) => i.params)).not.toEqual(shown.forms[1].items.map((i) => i.params));
    const text = run(['exam', 'show', examId]);
    expect(text.stdout).toContain('Form B (version 2)');
    expect(text.stdout).toContain('steps: log_ratio, terms, kl');
  });

  it('grades paper answers: bad rows by line and field, good rows stored, ECF on a carried slip', async () => {
    const store = SqliteStore.open({ file: db });
    ids.ada = (await store.users.create({ name: 'Ada', role: 'student' })).id;
    ids.bob = (await store.users.create({ name: 'Bob', role: 'student' })).id;
    await store.close();
    const log = (base: string | undefined) => (x: number) => Math.log(x) / (base === '2' ? Math.LN2 : base === '10' ? Math.LN10 : 1);
    // Ada (form A) reverses the ratio, then works on correctly from her own numbers: two of three marks.
    const a = shown.forms[0].items[0].params;
    const ratio = a.p.map((p, i) => log(a.base)(a.q[i] / p));
    const terms = a.p.map((p, i) => p * ratio[i]);
    const kl = terms.reduce((t, x) => t + x, 0);
    // Bob (form B) gets it right.
    const b = shown.forms[1].items[0].params;
    const bRatio = b.p.map((p, i) => log(b.base)(p / b.q[i]));
    const bTerms = b.p.map((p, i) => p * bRatio[i]);
    const csv = [
      'student,form,item,step,answer', // line 1
      `Ada,A,1,log_ratio,"${JSON.stringify(ratio)}"`, // 2: a JSON vector
      `Ada,A,1,terms,[${terms.join(' ')}]`, // 3: MATLAB style
      `Ada,A,1,kl,${kl}`, // 4
      `${ids.bob},B,1,log_ratio,"${JSON.stringify(bRatio)}"`, // 5: by user id
      `${ids.bob},B,1,terms,"${JSON.stringify(bTerms)}"`, // 6
      `${ids.bob},B,1,kl,${bTerms.reduce((t, x) => t + x, 0)}`, // 7
      'Zed,A,1,kl,1', // 8: unknown student
      'Ada,B,1,kl,1', // 9: Ada sat form A
      'Ada,A,9,kl,1', // 10: no item 9
      'Ada,A,1,entropy,1', // 11: not a step
      'Ada,A,2,Q,foo(', // 12: unreadable
      'Ada,A,1,kl,0.5', // 13: duplicate of line 4
      'Bob,Z,1,kl,1', // 14: no form Z
    ].join('\n');
    writeFileSync(join(dir, 'answers.csv'), csv + '\n');
    const r = run(['exam', 'grade', examId, '--answers', 'answers.csv', '--json']);
    expect(r.status).toBe(2); // some rows refused
    const report = JSON.parse(r.stdout);
    expect(report.stored).toBe(6);
    expect(report.attempts).toBe(2);
    expect(report.rejected.map((x: { line: number; field: string }) => [x.line, x.field])).toEqual([
      [8, 'student'],
      [9, 'form'],
      [10, 'item'],
      [11, 'step'],
      [12, 'answer'],
      [13, 'step'],
      [14, 'form'],
    ]);
    expect(report.rejected[5].message).toContain('line 4');
    const text = run(['exam', 'grade', examId, '--answers', 'answers.csv']);
    expect(text.stdout).toContain('answers.csv line 8, student: no user has the id or the name "Zed"');

    const res = run(['exam', 'results', examId, '--format', 'json']);
    expect(res.status).toBe(0);
    const results = JSON.parse(res.stdout);
    const ada = results.students.find((s: { name: string }) => s.name === 'Ada');
    const bob = results.students.find((s: { name: string }) => s.name === 'Bob');
    expect(ada.version).toBe(1);
    expect(bob.version).toBe(2);
    expect(ada.items[0].score).toBeCloseTo(2, 9); // log_ratio wrong, terms and kl carried
    expect(bob.items[0].score).toBeCloseTo(3, 9);
    expect(ada.items[1].score).toBeNull(); // the unreadable answer was the only row for item 2
    // Grading the same file again re-grades the same paper attempts: still one attempt per item.
    expect(ada.items[0].attempts).toBe(1);

    const csvOut = run(['exam', 'results', examId]);
    const lines = csvOut.stdout.trim().split(/\r?\n/);
    expect(lines[0]).toBe('user_id,name,version,item_1,item_2,score,max_score');
    const adaRow = lines.find((l) => l.includes(',Ada,'))!.split(',');
    expect(Number(adaRow[3])).toBeCloseTo(2, 9);
    expect(adaRow[4]).toBe('');
  });

  it('says which exam does not exist', () => {
    const r = run(['exam', 'show', 'exm_nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('exm_nope');
  });
});
