/** `stepwise exam stats` on a database file (STEPWISE_DB), as an instructor runs it beside the server. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { gradeAnswers } from '../../src/engine.js';
import { createExam } from '../../src/service/exams.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { CLI, ROOT } from '../cli-helpers.js';

const file = join(mkdtempSync(join(tmpdir(), 'stepwise-stats-')), 'exam.db');
let examId: string;

const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 60_000, env: { ...process.env, STEPWISE_DB: file } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(async () => {
  const store = SqliteStore.open({ file });
  const t = await store.users.create({ name: 'T', role: 'instructor' });
  const { exam, variants } = await createExam(store, { title: 'Midterm', blueprint: [{ topic: 'kl-discrete', count: 2 }], versions: 1, seed: 3, createdBy: t.id });
  examId = exam.id;
  // Two students: A answers both items right; B answers only item 1's log_ratio right.
  for (const [name, answer] of [['A', 'all'], ['B', 'first']] as const) {
    const u = await store.users.create({ name, role: 'student' });
    for (const v of variants) {
      const truth = Object.fromEntries(solveProblem(v.topic, v.params).steps.map((s) => [s.id, s.value]));
      const answers = answer === 'all' ? truth : v.examItem === 0 ? { log_ratio: truth.log_ratio } : {};
      await store.attempts.create({ variantId: v.id, userId: u.id, answers, result: gradeAnswers(v.topic, v.params, answers, { steps: v.steps, blankSteps: 'shown' }) });
    }
  }
  await store.close();
});

describe('stepwise exam stats', () => {
  it('--json: one entry per item and step, with item, step and the figures', () => {
    const r = run(['exam', 'stats', examId, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.steps.map((x: { item: number; step: string }) => [x.item, x.step])).toEqual([
      [1, 'log_ratio'], [1, 'terms'], [1, 'kl'],
      [2, 'log_ratio'], [2, 'terms'], [2, 'kl'],
    ]);
    // Item 1 log_ratio: both right → facility 1, sd 0, no discrimination. Item 2 kl: A only → ½.
    expect(s.steps[0]).toMatchObject({ n: 2, facility: 1, sd: 0, discrimination: null });
    expect(s.steps[5]).toMatchObject({ n: 2, facility: 0.5 });
    // Totals 6 and 1: mean 3.5.
    expect(s.summary).toMatchObject({ n: 2, mean: 3.5, maxScore: 6, unreliable: true });
  });

  it('prints a table by default and names an unknown exam (exit 2)', () => {
    const r = run(['exam', 'stats', examId]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Midterm: 2 students \(fewer than 20: figures unreliable\)/);
    expect(r.stdout).toMatch(/1\. kl-discrete/);
    const bad = run(['exam', 'stats', 'exm_none']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no exam with id "exm_none"/);
  });
});
