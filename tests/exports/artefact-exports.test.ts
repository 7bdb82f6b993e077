/**
 * Questions about model runs in LMS exports and printed exams: an exam with a "which run" item and
 * a "how many" item, its runs' jobs written into the store as a model worker finishes them (tiny
 * real PNGs, no training). Before that, every export and print fails with not_ready naming the
 * item; after, Moodle XML carries the plots as files and the answer as native single choice /
 * numerical, QTI 3 as package files (validated with xmllint against the official XSD when the
 * schemas are there), GIFT refuses the items by name, and the printed form shows the plots while
 * the key holds the runs' answer. Nothing of the instructor's key (run names, metric names) leaks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { strFromU8, unzipSync } from 'fflate';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepwiseError } from '../../src/core/errors.js';
import { registerArtefactQuestion } from '../../src/engine.js';
import type { ArtefactQuestion } from '../../src/models/questions.js';
import { runLetters } from '../../src/models/student.js';
import { printExam } from '../../src/print/documents.js';
import { printFile } from '../../src/print/files.js';
import { printForms } from '../../src/print/model.js';
import { artefactMaterials } from '../../src/service/artefact-pictures.js';
import { getExam } from '../../src/service/exams.js';
import type { Variant } from '../../src/store/types.js';
import { startHarness, type Harness } from '../api/harness.js';
import { howMany as tinyHowMany, whichRun as tinyWhichRun } from '../artefact-fixtures.js';

const whichRun: ArtefactQuestion = { ...tinyWhichRun, id: 'export-which-run' };
const howMany: ArtefactQuestion = { ...tinyHowMany, id: 'export-how-many', answer: { type: 'number', metric: 'vanilla.modesCovered', tolerance: 0.5 } };
const whichShape: ArtefactQuestion = {
  ...tinyHowMany,
  id: 'export-which-shape',
  title: 'What shape do the samples make?',
  prompt: 'Run {{vanilla}} trains a GAN. Name the shape its samples make.',
  answer: { type: 'text', metric: 'vanilla.shape' },
};
/** What only the instructor's key may hold: run names, metric names, the lab's run kinds. */
const SECRETS = ['vanilla', 'minibatch', 'finalDLoss', 'modesCovered', 'vanilla.shape', 'samples-final', 'cache'];
const QUESTIONS = [whichRun, howMany, whichShape];
const isArtefact = (v: Variant) => QUESTIONS.some((q) => q.id === v.topic);

// ---- a small real PNG (one grey pixel of the given shade) ----

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Buffer): number => {
  let c = 0xffffffff;
  for (const x of b) c = CRC[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(shade: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.from([0, shade]); // filter byte, one pixel
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// ---- the exam ----

let h: Harness;
let examId: string;
let variants: Variant[];
/** The runs' answer and the pictures' bytes of each variant, as the "worker" stored them. */
const truth = new Map<string, { expected: number | string; pngs: Buffer[]; captions: string[] }>();

const seedOf = (v: Variant) => (v.params as { seed: number }).seed;

/** Finishes every queued job as a model worker would: the student's view with its pictures and the answer. */
async function computeRuns(): Promise<void> {
  const store = h.store;
  // The freeze queued every item's runs: nothing here asks for them.
  for (const v of variants.filter(isArtefact)) expect((await store.models.get(v.topic, seedOf(v)))?.state).toBe('queued');
  const ids = QUESTIONS.map((q) => q.id);
  for (let job = await store.models.claim('test-worker', Date.now(), 60_000, ids); job; job = await store.models.claim('test-worker', Date.now(), 60_000, ids)) {
    const q = QUESTIONS.find((x) => x.id === job.questionId)!;
    const letters = Object.values(runLetters(q, job.seed)).sort();
    // "Which run": the second letter; "how many": 5 modes; the shape: a spiral.
    const expected = q === whichRun ? letters[1] : q === howMany ? 5 : 'Spiral';
    const pngs = letters.map((_, k) => png(40 + 60 * k + (job.seed % 50)));
    const captions = letters.map((l) => `Run ${l}: generated samples at the end`);
    const images = pngs.map((p, k) => ({ hash: `h-${job.questionId}-${job.seed}-${k}`, caption: captions[k], width: 1, height: 1 }));
    const view = { id: q.id, seed: job.seed, prompt: 'unused', letters, images, expected };
    await store.models.finish(job.questionId, job.seed, 'test-worker', JSON.stringify(view), images.map((im, k) => ({ hash: im.hash, png: pngs[k] })));
    for (const v of variants.filter((x) => x.topic === q.id && seedOf(x) === job.seed)) truth.set(v.id, { expected, pngs, captions });
  }
}

async function download(p: string): Promise<{ status: number; text: string; bytes: Uint8Array; retryAfter: string | null }> {
  const res = await fetch(h.url + p, { headers: { authorization: `Bearer ${h.instructor}` } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, text: Buffer.from(bytes).toString('utf8'), bytes, retryAfter: res.headers.get('retry-after') };
}

beforeAll(async () => {
  registerArtefactQuestion(whichRun);
  registerArtefactQuestion(howMany);
  registerArtefactQuestion(whichShape);
  h = await startHarness();
  const exam = await h.call('POST', '/api/v1/exams', {
    key: h.instructor,
    body: { title: 'Runs quiz', blueprint: [{ topic: whichRun.id, count: 1 }, { topic: howMany.id, count: 1 }, { topic: whichShape.id, count: 1 }, { topic: 'kl-discrete', count: 1, difficulty: 'easy' }], versions: 2, seed: 11 },
  });
  expect(exam.status, exam.text).toBe(201);
  examId = exam.body.id;
  variants = await h.store.variants.listByExam(examId);
  expect(variants.filter((v) => v.topic === whichRun.id)).toHaveLength(2);
});
afterAll(() => h.close());

describe('before the runs are computed', () => {
  it('every export format fails with not_ready (503, Retry-After) naming the item: no half export', async () => {
    for (const format of ['moodle', 'qti', 'gift']) {
      const r = await download(`/api/v1/exams/${examId}/export?format=${format}`);
      expect(r.status, r.text).toBe(503);
      expect(r.retryAfter).not.toBeNull();
      const body = JSON.parse(r.text) as { code: string; detail: string };
      expect(body.code).toBe('not_ready');
      expect(body.detail).toMatch(/^item \d of version \d \(variant [^)]+\): the model runs of question export-(which-run|how-many|which-shape) \(seed \d+\) are not computed yet/);
    }
    const set = await h.call('POST', '/api/v1/exports', { key: h.instructor, body: { variants: variants.map((v) => v.id), format: 'moodle' } });
    expect(set.status).toBe(503);
    expect(set.body.code).toBe('not_ready');
  });

  it('printing fails with not_ready naming the item, from the store and without pictures given', async () => {
    await expect(printFile(h.store, examId, 'A.html')).rejects.toMatchObject({ code: 'not_ready', message: expect.stringMatching(/^item \d of version 1 /) });
    const exam = await getExam(h.store, examId);
    let caught: unknown;
    try {
      printForms(exam, variants);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StepwiseError);
    expect((caught as StepwiseError).code).toBe('not_ready');
    expect((caught as StepwiseError).message).toMatch(/^item \d of version 1 \(variant /);
  });
});

describe('once the runs are computed', () => {
  beforeAll(computeRuns);

  const artefactVariants = () => variants.filter(isArtefact);

  it('Moodle XML: single choice over the run letters and numerical with the tolerance, the plots as base64 files of the question text', async () => {
    const r = await download(`/api/v1/exams/${examId}/export?format=moodle`);
    expect(r.status, r.text).toBe(200);
    expect(XMLValidator.validate(r.text)).toBe(true);
    const questions = [new XMLParser({ ignoreAttributes: false, cdataPropName: false }).parse(r.text).quiz.question].flat() as Record<string, any>[];
    for (const v of artefactVariants()) {
      const q = questions.find((x) => String(x.idnumber) === v.id)!;
      expect(q, v.id).toBeDefined();
      const t = truth.get(v.id)!;
      const html = String(q.questiontext.text);
      const files = [q.questiontext.file].flat() as Record<string, string>[];
      expect(files).toHaveLength(t.pngs.length);
      files.forEach((f, k) => {
        expect(f['@_name']).toBe(`plot-${k + 1}.png`);
        expect(f['@_encoding']).toBe('base64');
        expect(Buffer.from(String(f['#text']), 'base64').equals(t.pngs[k])).toBe(true);
        expect(html).toContain(`src="@@PLUGINFILE@@/plot-${k + 1}.png"`);
        expect(html).toContain(t.captions[k]);
      });
      const answers = [q.answer].flat() as Record<string, any>[];
      if (v.topic === whichRun.id) {
        expect(q['@_type']).toBe('multichoice');
        expect(String(q.single)).toBe('true');
        const letters = Object.values(runLetters(whichRun, seedOf(v))).sort();
        expect(answers.map((a) => String(a.text))).toEqual(letters.map((l) => `<p>Run ${l}</p>`));
        expect(answers.filter((a) => a['@_fraction'] === '100').map((a) => String(a.text))).toEqual([`<p>Run ${t.expected}</p>`]);
      } else if (v.topic === whichShape.id) {
        expect(q['@_type']).toBe('shortanswer');
        expect(answers.map((a) => [String(a.text), a['@_fraction']])).toEqual([['Spiral', '100']]);
      } else {
        expect(q['@_type']).toBe('numerical');
        expect(answers).toHaveLength(1);
        expect(Number(answers[0].text)).toBe(5);
        expect(Number(answers[0].tolerance)).toBe(0.5);
      }
      const text = JSON.stringify(q);
      for (const s of SECRETS) expect(text, `${v.id}: ${s}`).not.toContain(s);
    }
  });

  it('QTI 3: native choice / numeric entry, the plots as files beside the items, listed in the manifest', async () => {
    const r = await download(`/api/v1/exams/${examId}/export?format=qti`);
    expect(r.status).toBe(200);
    const files = unzipSync(r.bytes);
    const manifest = strFromU8(files['imsmanifest.xml']);
    for (const v of artefactVariants()) {
      const t = truth.get(v.id)!;
      const item = strFromU8(files[`items/${v.id}.xml`] ?? files[Object.keys(files).find((f) => f.startsWith(`items/`) && f.includes(v.id) && f.endsWith('.xml'))!]);
      const srcs = [...item.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
      expect(srcs).toHaveLength(t.pngs.length);
      srcs.forEach((src, k) => {
        const inPackage = `items/${src}`;
        expect(Buffer.from(files[inPackage]).equals(t.pngs[k]), inPackage).toBe(true);
        expect(manifest).toContain(`<file href="${inPackage}"/>`);
      });
      if (v.topic === whichRun.id) {
        expect(item).toContain('<qti-choice-interaction response-identifier="RESPONSE" shuffle="false" max-choices="1">');
        expect(item).toContain(`<qti-correct-response><qti-value>choice-${t.expected}</qti-value></qti-correct-response>`);
      } else if (v.topic === whichShape.id) {
        expect(item).toContain('<qti-correct-response><qti-value>Spiral</qti-value></qti-correct-response>');
        expect(item).toContain('<qti-string-match case-sensitive="false"><qti-variable identifier="RESPONSE"/><qti-base-value base-type="string">Spiral</qti-base-value></qti-string-match>');
      } else {
        expect(item).toContain('<qti-correct-response><qti-value>5</qti-value></qti-correct-response>');
        expect(item).toContain('tolerance-mode="absolute" tolerance="0.5 0.5"');
      }
      for (const s of SECRETS) expect(item, `${v.id}: ${s}`).not.toContain(s);
    }
  });

  it('GIFT refuses the export, naming the item about model runs and what to use instead', async () => {
    const r = await download(`/api/v1/exams/${examId}/export?format=gift`);
    expect(r.status).toBe(422); // invalid_request
    const body = JSON.parse(r.text) as { code: string; detail: string };
    expect(body.code).toBe('invalid_request');
    expect(body.detail).toMatch(/^Runs quiz — item \d, version \d: (Which run ends lower\?|How many are covered\?|What shape do the samples make\?) \(\S+\) is a question about model runs: its plots cannot travel in a GIFT file; export it as Moodle XML or QTI/);
  });

  it('the printed form shows the prompt with its plots and a box per answer; only the key holds the runs\' answer and tolerance', async () => {
    const form = (await printFile(h.store, examId, 'A.html')).body.toString('utf8');
    const key = (await printFile(h.store, examId, 'key-A.html')).body.toString('utf8');
    const own = artefactVariants().filter((v) => v.examVersion === 1);
    expect(own).toHaveLength(3);
    for (const v of own) {
      const t = truth.get(v.id)!;
      t.pngs.forEach((p, k) => {
        expect(form).toContain(`src="data:image/png;base64,${p.toString('base64').replace(/=/g, '&#x3D;')}"`);
        expect(form).toContain(t.captions[k]);
      });
    }
    const choice = own.find((v) => v.topic === whichRun.id)!;
    const letters = Object.values(runLetters(whichRun, seedOf(choice))).sort();
    // "Which run": one tick per run letter; "how many": a box.
    expect(form).toMatch(new RegExp(`<ul class="choices">\\s*${letters.map((l) => `<li><span class="tick"></span> Run ${l}</li>`).join('')}`));
    expect(form).toContain('A number.');
    // A 1-mark item says so in the singular.
    expect(form).toContain('(1 mark)');
    expect(form).not.toContain('(1 marks)');
    expect(form).toContain('A word or label.');
    for (const s of SECRETS) expect(form, s).not.toContain(s);
    // The key: the letter, the number and its tolerance.
    expect(key).toContain(`Run ${truth.get(choice.id)!.expected}`);
    expect(key).toMatch(/<dd>±0\.5<\/dd>/);
    expect(key).toContain('Spiral');
    expect(form).not.toContain('Spiral');
    expect(key).toMatch(/smallest value of final d loss/); // the key explains where the answer comes from, in words
  });

  it('LaTeX: the sources include the plots, which are written beside them; the answer sheet names no run or metric', async () => {
    const exam = await getExam(h.store, examId);
    const all = await h.store.variants.listByExam(examId);
    const result = await printExam(exam, all, { formats: ['tex'], forms: ['B'], materials: await artefactMaterials(h.store, all) });
    const names = result.files.map((f) => f.name);
    const tex = result.files.find((f) => f.name === 'form-B.tex')!.bytes.toString('utf8');
    const pngs = result.files.filter((f) => f.format === 'png');
    const own = all.filter((v) => v.examVersion === 2 && truth.has(v.id));
    expect(pngs).toHaveLength(own.reduce((n, v) => n + truth.get(v.id)!.pngs.length, 0));
    for (const f of pngs) {
      expect(tex).toContain(`\\includegraphics[width=0.6\\linewidth]{${f.name}}`);
      const item = Number(/^form-B-item-(\d+)-plot-(\d+)\.png$/.exec(f.name)![1]);
      const v = own.find((x) => x.examItem === item - 1)!;
      const k = Number(/plot-(\d+)/.exec(f.name)![1]) - 1;
      expect(f.bytes.equals(truth.get(v.id)!.pngs[k]), f.name).toBe(true);
    }
    expect(names).toContain('key-B.tex');
    expect(tex).toContain('\\usepackage{graphicx}');
    for (const s of SECRETS) expect(tex, s).not.toContain(s);
  });
});

// ---- QTI 3 schema validation (as tests/exports/qti-schema.test.ts: xmllint, offline, with the catalog) ----

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xsdDir = process.env.STEPWISE_QTI_XSD_DIR ?? path.resolve(repoRoot, '../shared/external-xsd/qti3');
const ASI = 'imsqti_asiv3p0_v1p0.nsfixed.xsd';
const CP = 'imsqtiv3p0_imscpv1p2_v1p0.xsd';
const lint = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
const schemaMissing = lint.error || lint.status !== 0 ? 'xmllint is not installed' : [ASI, CP, 'catalog.xml'].find((f) => !existsSync(path.join(xsdDir, f)));
const ci = process.env.CI === 'true' || process.env.CI === '1';

describe.skipIf(schemaMissing !== undefined && !ci)('QTI 3 package with artefact items validates against the official schemas', () => {
  if (schemaMissing && !ci) console.warn(`artefact QTI schema check skipped: ${schemaMissing} (STEPWISE_QTI_XSD_DIR)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'stepwise-art-qti-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    if (truth.size === 0) await computeRuns();
  });

  it('items, test and manifest validate (QTI 3.0 ASI, CP 1.2 QTI profile)', async () => {
    expect(schemaMissing).toBeUndefined();
    const r = await download(`/api/v1/exams/${examId}/export?format=qti`);
    const xml: string[] = [];
    for (const [f, bytes] of Object.entries(unzipSync(r.bytes))) {
      const p = path.join(dir, f);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, bytes);
      if (f.endsWith('.xml') && f !== 'imsmanifest.xml') xml.push(p);
    }
    const run = (schema: string, files: string[]) =>
      spawnSync('xmllint', ['--nonet', '--noout', '--schema', path.join(xsdDir, schema), ...files], { encoding: 'utf8', env: { ...process.env, XML_CATALOG_FILES: path.join(xsdDir, 'catalog.xml') }, timeout: 120_000 });
    const asi = run(ASI, xml);
    expect(asi.status, `${asi.stdout}${asi.stderr}`).toBe(0);
    for (const f of xml) expect(asi.stderr).toContain(`${f} validates`);
    const cp = run(CP, [path.join(dir, 'imsmanifest.xml')]);
    expect(cp.status, `${cp.stdout}${cp.stderr}`).toBe(0);
  }, 180_000);
});
