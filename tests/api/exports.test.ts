/** LMS exports through the API: a frozen exam or a set of variants as Moodle XML, QTI 3.0 or GIFT. */
import { unzipSync, strFromU8 } from 'fflate';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let examId: string;
let variantIds: string[];
beforeAll(async () => {
  h = await startHarness();
  const exam = await h.call('POST', '/api/v1/exams', {
    key: h.instructor,
    body: { title: 'Quiz 3', blueprint: [{ topic: 'kl-discrete', count: 2, difficulty: 'easy' }, { topic: 'bayes-classification', count: 1 }], versions: 2, seed: 5 },
  });
  examId = exam.body.id;
  const versions = await h.call('GET', `/api/v1/exams/${examId}/versions`, { key: h.instructor });
  variantIds = versions.body.flatMap((v: { variants: { id: string }[] }) => v.variants.map((x) => x.id));
});
afterAll(() => h.close());

async function download(path: string, key = h.instructor): Promise<{ status: number; type: string | null; bytes: Uint8Array; disposition: string | null }> {
  const res = await fetch(h.url + path, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, type: res.headers.get('content-type'), bytes: new Uint8Array(await res.arrayBuffer()), disposition: res.headers.get('content-disposition') };
}

describe('exam exports', () => {
  it('Moodle XML: one well-formed Cloze question per frozen variant, every version', async () => {
    const r = await download(`/api/v1/exams/${examId}/export?format=moodle`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/application\/xml/);
    expect(r.disposition).toMatch(/attachment; filename="?exam-.*\.moodle\.xml/);
    const xml = Buffer.from(r.bytes).toString('utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const quiz = new XMLParser({ ignoreAttributes: false }).parse(xml).quiz;
    const questions = [quiz.question].flat().filter((q: Record<string, string>) => q['@_type'] === 'cloze');
    expect(questions).toHaveLength(variantIds.length);
    expect(xml).toMatch(/\{\d+:NUMERICAL:=/);
    expect(xml).toMatch(/\{\d+:SHORTANSWER:=/); // the Bayes decision
  });

  it('Moodle XML and QTI keep the versions apart: one category or section per item slot, one variant per version in it', async () => {
    const versions = await h.call('GET', `/api/v1/exams/${examId}/versions`, { key: h.instructor });
    // The variant ids of each slot (item position), across the versions.
    const slots: string[][] = [];
    for (const v of versions.body as { variants: { id: string }[] }[]) v.variants.forEach((x, k) => (slots[k] ??= []).push(x.id));
    expect(slots).toHaveLength(3);

    const xml = Buffer.from((await download(`/api/v1/exams/${examId}/export?format=moodle`)).bytes).toString('utf8');
    const questions = [new XMLParser({ ignoreAttributes: false }).parse(xml).quiz.question].flat() as Record<string, any>[];
    const byCategory = new Map<string, string[]>();
    let current = '';
    for (const q of questions) {
      if (q['@_type'] === 'category') byCategory.set((current = String(q.category.text)), []);
      else byCategory.get(current)!.push(String(q.idnumber));
    }
    expect([...byCategory.keys()]).toEqual(['$course$/top/Quiz 3/Item 1', '$course$/top/Quiz 3/Item 2', '$course$/top/Quiz 3/Item 3']);
    expect([...byCategory.values()]).toEqual(slots);

    const zip = unzipSync((await download(`/api/v1/exams/${examId}/export?format=qti`)).bytes);
    const test = strFromU8(zip['assessment.xml']);
    const sections = [...test.matchAll(/<qti-assessment-section[^>]*>([\s\S]*?)<\/qti-assessment-section>/g)].map((m) => m[1]);
    expect(sections).toHaveLength(3);
    sections.forEach((body, k) => {
      expect(body).toContain('<qti-selection select="1"/>');
      expect([...body.matchAll(/identifier="([^"]+)"/g)].map((m) => m[1])).toEqual(slots[k]);
    });
  });

  it('QTI 3.0: a zip with a manifest, a test and one item per variant', async () => {
    const r = await download(`/api/v1/exams/${examId}/export?format=qti`);
    expect(r.type).toMatch(/application\/zip/);
    const files = unzipSync(r.bytes);
    expect(Object.keys(files)).toContain('imsmanifest.xml');
    const items = Object.keys(files).filter((f) => f.startsWith('items/'));
    expect(items).toHaveLength(variantIds.length);
    for (const f of Object.keys(files)) expect(XMLValidator.validate(strFromU8(files[f])), f).toBe(true);
  });

  it('GIFT: numeric answers with tolerances for single-answer steps', async () => {
    const r = await download(`/api/v1/exams/${examId}/export?format=gift`);
    const text = Buffer.from(r.bytes).toString('utf8');
    expect(text).toMatch(/\{#-?[0-9.]+:[0-9.]+\}/); // the KL value
    expect(text).toMatch(/\{=\S/); // the decision
  });

  it('refuses an unknown format and students', async () => {
    const bad = await h.call('GET', `/api/v1/exams/${examId}/export?format=docx`, { key: h.instructor });
    expect(bad.status).toBe(422);
    expect(bad.body.field).toBe('query.format');
    const s = await h.student();
    expect((await download(`/api/v1/exams/${examId}/export?format=gift`, s.key)).status).toBe(403);
  });
});

describe('variant-set exports', () => {
  it('exports any chosen variants', async () => {
    const res = await fetch(`${h.url}/api/v1/exports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.instructor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ variants: variantIds.slice(0, 2), format: 'moodle', title: 'Two items' }),
    });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml.match(/<question type="cloze">/g)).toHaveLength(2);
    // Any set of variants is one question each in one category, even exam variants: no slot grouping.
    expect(xml.match(/<question type="category">/g)).toHaveLength(1);
    const missing = await h.call('POST', '/api/v1/exports', { key: h.instructor, body: { variants: ['var_nope'], format: 'gift' } });
    expect(missing.status).toBe(404);
  });
});
