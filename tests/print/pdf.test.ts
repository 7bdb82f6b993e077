/**
 * Printed PDFs read back with poppler (pdftotext, pdfimages): every page's header names the form
 * and "page n/m", each form shows its own numbers, the key holds the values (checked against a
 * hand computation, not the engine), the answer sheet holds none, and every page carries an image
 * (its QR code). One browser prints the whole batch.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { printExam, type PrintResult } from '../../src/print/documents.js';
import type { Variant } from '../../src/store/types.js';
import { chromiumRequiredOnCi, installed } from '../browser.js';
import { havePoppler, imagesPerPage, klByHand, numbersIn, pdfPages, printFixture } from './fixture.js';

chromiumRequiredOnCi();
it.runIf(process.env.CI === 'true')('poppler-utils is installed (CI)', () => expect(havePoppler).toBe(true));

/** The number under the kl step's heading in a key's text (page headers, which hold numbers, left out). */
function klStepValue(key: string): number {
  const body = key.split('\n').filter((l) => !/ · page \d+\/\d+/.test(l)).join('\n');
  const at = /Σ terms kl \[\d+(?:\.\d+)?\]/.exec(body);
  expect(at, 'the kl step heading').not.toBeNull();
  const value = numbersIn(body.slice(at!.index + at![0].length))[0];
  expect(value).toBeDefined();
  return value;
}

describe.runIf(installed && havePoppler)('printed PDFs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-print-'));
  let result: PrintResult;
  let kl: Variant[];
  let forms: Variant[][];
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    const { exam, variants } = await printFixture();
    result = await printExam(exam, variants, { formats: ['pdf'], env: { STEPWISE_CHROMIUM: '/usr/bin/chromium' } });
    for (const f of result.files) writeFileSync(file(f.name), f.bytes);
    kl = [1, 2, 3].map((v) => variants.find((x) => x.examVersion === v && x.examItem === 0)!);
    forms = [1, 2, 3].map((v) => variants.filter((x) => x.examVersion === v).sort((a, b) => a.examItem! - b.examItem!));
  }, 120_000);

  it('prints an answer sheet and a key per form, as PDFs', () => {
    expect(result.pdfUnavailable).toBeUndefined();
    expect(result.files.map((f) => f.name)).toEqual(['form-A.pdf', 'key-A.pdf', 'form-B.pdf', 'key-B.pdf', 'form-C.pdf', 'key-C.pdf']);
    for (const f of result.files) expect(f.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('heads every page with the exam, the form and "page n/m"', () => {
    for (const letter of ['A', 'B', 'C']) {
      for (const [name, label] of [[`form-${letter}.pdf`, `Midterm · Form ${letter}`], [`key-${letter}.pdf`, `Midterm · Form ${letter} · answer key`]]) {
        const pages = pdfPages(file(name));
        expect(pages.length).toBeGreaterThanOrEqual(3);
        expect(result.files.find((f) => f.name === name)!.pages).toBe(pages.length);
        pages.forEach((text, i) => expect(text, `${name} page ${i + 1}`).toContain(`${label} · page ${i + 1}/${pages.length}`));
      }
    }
  });

  it('has an image (the QR code) on every page', () => {
    for (const f of result.files) {
      const counts = imagesPerPage(file(f.name));
      for (let p = 1; p <= f.pages!; p++) expect(counts.get(p) ?? 0, `${f.name} page ${p}`).toBeGreaterThanOrEqual(1);
    }
  });

  it("shows each form's own numbers: the forms differ", () => {
    const params = kl.map((v) => v.params as { p: number[]; q: number[] });
    // Each form its own problems: the whole form, since two forms' KL items alone coincide about once
    // in 10,000 exams (their params are drawn from secret item seeds, P and Q on a grid of hundredths).
    expect(new Set(forms.map((f) => JSON.stringify(f.map((v) => v.params)))).size).toBe(3);
    ['A', 'B', 'C'].forEach((letter, k) => {
      const text = pdfPages(file(`form-${letter}.pdf`)).join('\n');
      const shown = numbersIn(text);
      for (const x of [...params[k].p, ...params[k].q]) expect(shown.some((y) => Math.abs(y - x) < 1e-9), `form ${letter} shows ${x}`).toBe(true);
      expect(text).toContain('Student number');
      expect(text).toContain('For the grader');
    });
  });

  it("keys hold their own form's KL divergence (by hand), answer sheets hold no value", () => {
    const truth = kl.map((v) => {
      const p = v.params as { p: number[]; q: number[]; base?: string };
      return klByHand(p.p, p.q, p.base);
    });
    ['A', 'B', 'C'].forEach((letter, k) => {
      const key = pdfPages(file(`key-${letter}.pdf`)).join('\n');
      // The key writes values to 4 decimals at most: within 5e-5 of the true divergence.
      expect(numbersIn(key).some((y) => Math.abs(y - truth[k]) <= 5e-5 + 1e-9), `key ${letter} holds KL = ${truth[k]}`).toBe(true);
      // The value under the kl step's heading is this form's divergence, not another form's. (Not
      // "no number in the key is another form's KL": the forms' params are drawn from the exam's
      // secret item seeds, and about 1 run in 100 another form's KL rounds to one of the key's
      // own log ratios, terms or attention values.)
      const klStep = klStepValue(key);
      expect(Math.abs(klStep - truth[k]), `key ${letter}'s kl step reads ${klStep}`).toBeLessThanOrEqual(5e-5 + 1e-9);
      for (const other of truth.filter((_t, j) => j !== k && Math.abs(truth[j] - truth[k]) > 1e-3)) {
        expect(Math.abs(klStep - other), `key ${letter}'s kl step is not another form's KL`).toBeGreaterThan(5e-5);
      }
      expect(key).toMatch(/Tolerance/);
      expect(key).toMatch(/ECF from log_ratio/);
      expect(key).toMatch(/misconception:[a-z-]+/);
      expect(key).toMatch(/Worked solution, item 1/);
      const sheet = pdfPages(file(`form-${letter}.pdf`)).join('\n');
      // An answer would be written as the key writes it, to 3 or 4 decimals; the sheet's own numbers
      // (P and Q in hundredths, integer attention inputs, page and item numbers) have fewer, and
      // now and then one of them is within 5e-5 of the divergence (q = 0.74, KL = 0.74005).
      const precise = [...sheet.replace(/\u2212/g, '-').matchAll(/-?\d+\.\d{3,}/g)].map((m) => Number(m[0]));
      expect(precise.some((y) => Math.abs(y - truth[k]) <= 5e-5), `form ${letter} does not give the answer away`).toBe(false);
      expect(sheet).not.toMatch(/misconception:/);
    });
  });
});
