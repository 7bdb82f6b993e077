/** An LTI launch key (an instructor's, scoped to one exam) may grade paper answers for that exam only. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startLti, type LtiHarness } from '../lti/harness.js';
import { C, ROLE } from '../lti/platform.js';

let h: LtiHarness;
beforeEach(async () => {
  h = await startLti();
});
afterEach(async () => {
  await h.close();
});

async function exam(title: string): Promise<string> {
  const r = await h.call('POST', '/api/v1/exams', { key: h.instructor, body: { title, blueprint: [{ topic: 'kl-discrete', count: 1 }], versions: 2, seed: 5 } });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

it("takes paper answers for the launch key's own exam, and refuses them for any other", async () => {
  const mine = await exam('Midterm');
  const other = await exam('Other course final');
  const code = await h.linkCode(mine);
  const r = await h.launch({
    claims: (c: Record<string, unknown>) => ({
      ...c,
      sub: 'teacher-1',
      [C.roles]: [ROLE.instructor],
      [C.resourceLink]: { id: `rl-${mine}` },
      [C.context]: { id: 'course-9', title: 'DL 101' },
      [C.custom]: { exam: mine, exam_code: code },
    }),
  });
  expect(r.status, r.text).toBe(200);
  const key = r.body.apiKey as string;
  const student = await h.call('POST', '/api/v1/users', { key: h.instructor, body: { name: 'Kim', role: 'student' } });
  const csv = `student,form,item,step,answer\n${student.body.id},A,1,kl,0.5\n`;
  const post = (examId: string) =>
    fetch(`${h.url}/api/v1/exams/${examId}/paper-answers`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' }, body: csv });
  const own = await post(mine);
  expect(own.status).toBe(200);
  expect(((await own.json()) as { stored: number }).stored).toBe(1);
  expect((await post(other)).status).toBe(403);
  expect(await h.store.attempts.count()).toBe(1);
});
