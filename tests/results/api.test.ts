/**
 * POST /api/v1/exams/{id}/paper-answers: a text/csv body graded into paper attempts, bad rows
 * reported by line and field; instructors only; the results cover paper attempts (even ones typed
 * in after the close); sending an item again re-grades the same attempt.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../api/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const HOUR = 3_600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

async function makeExam(rules: Record<string, unknown> = {}) {
  const blueprint = [{ topic: 'kl-discrete', count: 1, difficulty: 'easy' }];
  const r = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title: 'Paper midterm', blueprint, versions: 2, seed: 3, ...rules } });
  expect(r.status, r.text).toBe(201);
  const versions = await h.call('GET', `/api/v1/exams/${r.body.id}/versions`, { key: h.instructor });
  type V = { id: string; params: { p: number[]; q: number[]; base?: string } };
  return { id: r.body.id as string, forms: (versions.body as { variants: V[] }[]).map((v) => v.variants) };
}

/** The true log ratios, terms and divergence, by hand. */
function klByHand(params: { p: number[]; q: number[]; base?: string }) {
  const log = (x: number) => Math.log(x) / (params.base === '2' ? Math.LN2 : params.base === '10' ? Math.LN10 : 1);
  const ratio = params.p.map((p, i) => log(p / params.q[i]));
  const terms = params.p.map((p, i) => p * ratio[i]);
  return { ratio, terms, kl: terms.reduce((t, x) => t + x, 0) };
}

const post = (examId: string, csv: string, key = h.instructor, type = 'text/csv') => h.call('POST', `/api/v1/exams/${examId}/paper-answers`, { key, raw: csv, type });

describe('POST /api/v1/exams/{id}/paper-answers', () => {
  it('stores good rows as paper attempts and reports bad ones by line and field', async () => {
    const exam = await makeExam();
    const s = await h.student('Cleo');
    const k = klByHand(exam.forms[0][0].params);
    const csv = `Answer,Step,Item,Form,Student\n"${JSON.stringify(k.ratio)}",log_ratio,1,A,Cleo\n${k.kl},kl,1,A,Cleo\n1,kl,2,A,Cleo\n`;
    const r = await post(exam.id, csv);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ stored: 2, attempts: 1, rejected: [{ line: 4, field: 'item', message: expect.stringContaining('1 to 1') }], added: [] });
    const results = await h.call('GET', `/api/v1/exams/${exam.id}/results`, { key: h.instructor });
    const cleo = results.body.students.find((x: { userId: string }) => x.userId === s.id);
    // Terms left blank: log_ratio and kl right (kl depends on terms; blanks are shown-only by default): 2 of 3.
    expect(cleo.version).toBe(1);
    expect(cleo.items[0].score).toBeCloseTo(2, 9);
  });

  it('re-grades the same paper attempt when an item is sent again', async () => {
    const exam = await makeExam();
    const s = await h.student('Dan');
    const k = klByHand(exam.forms[1][0].params);
    // 50 is wrong whatever the exam's (secret, per-exam) item seeds drew, and no misconception's value
    // either (these KLs are below 4); a small number such as 0.123 is now and then the true divergence.
    expect(k.kl).toBeLessThan(4);
    expect((await post(exam.id, `student,form,item,step,answer\n${s.id},B,1,kl,50\n`)).body.stored).toBe(1);
    const first = (await h.call('GET', `/api/v1/exams/${exam.id}/results`, { key: h.instructor })).body.students[0].items[0];
    expect(first.score).toBe(0);
    const again = await post(exam.id, `student,form,item,step,answer\n${s.id},B,1,log_ratio,"${JSON.stringify(k.ratio)}"\n${s.id},B,1,terms,"${JSON.stringify(k.terms)}"\n${s.id},B,1,kl,${k.kl}\n`);
    expect(again.body).toEqual({ stored: 3, attempts: 1, rejected: [], added: [] });
    const second = (await h.call('GET', `/api/v1/exams/${exam.id}/results`, { key: h.instructor })).body.students[0].items[0];
    expect(second.attemptId).toBe(first.attemptId);
    expect(second.attempts).toBe(1);
    expect(second.score).toBeCloseTo(3, 9);
    // A row sent alone replaces that step only; the others stay.
    await post(exam.id, `student,form,item,step,answer\n${s.id},B,1,kl,0\n`);
    const third = (await h.call('GET', `/api/v1/exams/${exam.id}/results`, { key: h.instructor })).body.students[0].items[0];
    expect(third.score).toBeCloseTo(2, 9);
  });

  it('counts paper attempts typed in after the close, and keeps a student to the form they were assigned', async () => {
    const exam = await makeExam({ opensAt: at(-2 * HOUR), closesAt: at(-HOUR) });
    const s = await h.student('Eve');
    await h.store.exams.assignVersion(exam.id, s.id, 2);
    const k = klByHand(exam.forms[1][0].params);
    const r = await post(exam.id, `student,form,item,step,answer\nEve,A,1,kl,${k.kl}\nEve,B,1,kl,${k.kl}\n`);
    expect(r.body.rejected).toEqual([{ line: 2, field: 'form', message: 'Eve is assigned form B, not A' }]);
    const results = await h.call('GET', `/api/v1/exams/${exam.id}/results`, { key: h.instructor });
    expect(results.body.students[0].score).not.toBeNull();
    expect(results.body.students[0].items[0].score).toBeGreaterThan(0);
  });

  it('adds the students of a paper-only class when asked, once each, and only for stored rows', async () => {
    const exam = await makeExam();
    const csv = 'student,form,item,step,answer\nHal,A,1,kl,0.5\nHal,A,1,terms,\nIda,B,1,kl,0.5\nJon,A,7,kl,1\n';
    const without = await post(exam.id, csv);
    expect(without.body.stored).toBe(0);
    expect(without.body.rejected.map((x: { field: string }) => x.field)).toEqual(['student', 'student', 'student', 'student']);
    const r = await h.call('POST', `/api/v1/exams/${exam.id}/paper-answers?addStudents=true`, { key: h.instructor, raw: csv, type: 'text/csv' });
    expect(r.status, r.text).toBe(200);
    expect(r.body.stored).toBe(3);
    expect(r.body.added.map((a: { name: string }) => a.name)).toEqual(['Hal', 'Ida']); // Jon's only row was refused: no user made
    expect(r.body.rejected).toEqual([{ line: 5, field: 'item', message: expect.any(String) }]);
    const results = await h.call('GET', `/api/v1/exams/${exam.id}/results`, { key: h.instructor });
    expect(results.body.students.map((s: { name: string; version: number }) => [s.name, s.version])).toEqual([
      ['Hal', 1],
      ['Ida', 2],
    ]);
    expect((await h.store.users.findByName('Jon'))).toEqual([]);
    // Sent again, the names now find those students: nobody is added twice.
    const again = await h.call('POST', `/api/v1/exams/${exam.id}/paper-answers?addStudents=true`, { key: h.instructor, raw: csv, type: 'text/csv' });
    expect(again.body.added).toEqual([]);
    // A user id that finds nobody is refused, never made a student's name.
    const typo = await h.call('POST', `/api/v1/exams/${exam.id}/paper-answers?addStudents=true`, { key: h.instructor, raw: 'student,form,item,step,answer\nusr_nobody,A,1,kl,1\n', type: 'text/csv' });
    expect(typo.body.rejected.map((x: { field: string }) => x.field)).toEqual(['student']);
    expect(typo.body.added).toEqual([]);
    expect((await h.call('POST', `/api/v1/exams/${exam.id}/paper-answers?addStudents=yes`, { key: h.instructor, raw: csv, type: 'text/csv' })).status).toBe(422);
  });

  it('refuses a file without the columns, a non-CSV body and an oversized one, storing nothing', async () => {
    const exam = await makeExam();
    await h.student('Fay');
    const noColumn = await post(exam.id, 'student,form,item,answer\nFay,A,1,1\n');
    expect(noColumn.status).toBe(422);
    expect(noColumn.body.detail).toContain('"step"');
    expect((await post(exam.id, '{"a":1}', h.instructor, 'application/json')).status).toBe(415);
    expect((await post(exam.id, 'student,form,item,step,answer\n' + 'Fay,A,1,kl,1\n'.repeat(200_000))).status).toBe(413);
    expect(await h.store.attempts.count()).toBe(0);
    expect((await post('exm_nope', 'student,form,item,step,answer\n')).status).toBe(404);
  });

  it('is for instructors only', async () => {
    const exam = await makeExam();
    const s = await h.student('Gil');
    const r = await post(exam.id, `student,form,item,step,answer\n${s.id},A,1,kl,1\n`, s.key);
    expect(r.status).toBe(403);
    expect((await h.call('POST', `/api/v1/exams/${exam.id}/paper-answers`, { raw: 'student\n', type: 'text/csv' })).status).toBe(401);
    expect(await h.store.attempts.count()).toBe(0);
  });

  it('is in the OpenAPI document with its report schema', async () => {
    const doc = (await h.call('GET', '/api/v1/openapi.json')).body;
    const op = doc.paths['/api/v1/exams/{id}/paper-answers'].post;
    expect(Object.keys(op.requestBody.content)).toEqual(['text/csv']);
    expect(op.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/PaperAnswersReport');
  });
});
