/** Form letters, the QR payload and the print model's key facts (checked by hand, not by the code's own output). */
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../src/core/errors.js';
import { ecfRule, formLetter, formVersion, printForm, printForms, toleranceShort } from '../../src/print/model.js';
import { parseQrPayload, qrPayload } from '../../src/print/qr.js';
import { createExam } from '../../src/service/exams.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { klByHand, printFixture } from './fixture.js';

describe('form letters', () => {
  it('letters versions A, B, … Z, AA, AB', () => {
    expect([1, 2, 3, 26, 27, 28, 52, 53].map(formLetter)).toEqual(['A', 'B', 'C', 'Z', 'AA', 'AB', 'AZ', 'BA']);
  });
  it('reads a letter back, case-insensitively, and names the forms when there is no such one', () => {
    expect(formVersion('b', 3)).toBe(2);
    let err: unknown;
    try {
      formVersion('D', 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StepwiseError);
    expect((err as StepwiseError).message).toBe('no form "D": this exam has 3 forms (A, B, C)');
  });
});

describe('QR payload', () => {
  it('holds the exam, the form, the page and whether it is a key', () => {
    expect(qrPayload({ examId: 'exm_1', form: 'B', page: 2 })).toBe('stepwise:exam/exm_1/form/B/page/2');
    expect(qrPayload({ examId: 'exm_1', form: 'B', page: 6, key: true })).toBe('stepwise:exam/exm_1/form/B/key/page/6');
    expect(parseQrPayload('stepwise:exam/exm_1/form/B/key/page/6')).toEqual({ examId: 'exm_1', form: 'B', page: 6, key: true });
    expect(parseQrPayload('stepwise:exam/a%2Fb/form/C/page/1')).toEqual({ examId: 'a/b', form: 'C', page: 1 });
    expect(qrPayload({ examId: 'a/b', form: 'C', page: 1 })).toBe('stepwise:exam/a%2Fb/form/C/page/1');
    expect(parseQrPayload('https://example.org/')).toBeUndefined();
    expect(() => qrPayload({ examId: 'x', form: 'A', page: 0 })).toThrow(RangeError);
  });
});

describe('print model', () => {
  it('numbers forms by version and keeps the item order of the manifest', async () => {
    const { exam, variants } = await printFixture();
    const forms = printForms(exam, variants);
    expect(forms.map((f) => [f.letter, f.version])).toEqual([['A', 1], ['B', 2], ['C', 3]]);
    expect(forms.map((f) => f.items.map((i) => i.topic))).toEqual(Array(3).fill(['kl-discrete', 'self-attention']));
    expect(printForms(exam, variants, ['c', 'A', 'C']).map((f) => f.letter)).toEqual(['C', 'A']);
  });

  it('carries the true value of each step, its marks and its misconceptions', async () => {
    const { exam, variants } = await printFixture();
    const form = printForm(exam, variants, 2);
    const kl = form.items[0];
    const p = variants.find((v) => v.examVersion === 2 && v.examItem === 0)!.params as { p: number[]; q: number[]; base?: string };
    const divergence = kl.steps.find((s) => s.id === 'kl')!;
    expect(Math.abs((divergence.value as number) - klByHand(p.p, p.q, p.base))).toBeLessThan(1e-12);
    expect(kl.steps.map((s) => s.id)).toEqual(['log_ratio', 'terms', 'kl']);
    expect(kl.marks).toBe(kl.steps.reduce((s, x) => s + x.marks, 0));
    expect(form.marks).toBe(form.items[0].marks + form.items[1].marks);
    const logRatio = kl.steps[0];
    expect(logRatio.kind).toBe('vector');
    expect([logRatio.rows, logRatio.cols]).toEqual([1, p.p.length]);
    expect(logRatio.misconceptions.map((m) => m.id).length).toBeGreaterThan(0);
    const q = form.items[1].steps.find((s) => s.id === 'Q')!;
    expect(q.kind).toBe('matrix');
    expect(q.rows).toBeGreaterThanOrEqual(2);
  });

  it("words the ECF rule and the tolerance a grader applies", () => {
    const step = { deps: ['Q', 'K'] } as never;
    expect(ecfRule(step, 0)).toBe("ECF from Q, K: when not the true value but correct from the student's own Q, K, full marks.");
    expect(ecfRule(step, 0.25)).toBe("ECF from Q, K: when not the true value but correct from the student's own Q, K, 75% of the marks.");
    expect(ecfRule({ deps: [] } as never, 0)).toBe('No ECF: computed from the given data only.');
    expect(toleranceShort('scalar', { absolute: 0.001, relative: 0.01 })).toBe('±0.001 + 1% of the value');
    expect(toleranceShort('scalar', { decimals: 2 })).toBe('2 d.p. (±0.005)');
    expect(toleranceShort('label', { absolute: 0.001 })).toBe('exact');
  });
});

describe('print model under the blueprint’s marks and ECF penalty', () => {
  it('prints each step’s marks as graded (scaled to the row’s total) and the exam’s ECF penalty', async () => {
    const store = SqliteStore.open({ file: ':memory:' });
    const by = (await store.users.create({ name: 'Instructor', role: 'instructor' })).id;
    // kl-discrete asks log_ratio, terms and kl (1 mark each by default): 6 marks make 2 + 2 + 2.
    const { exam, variants } = await createExam(store, { title: 'Scaled', blueprint: [{ topic: 'kl-discrete', count: 1, difficulty: 'easy', marks: 6 }], versions: 1, seed: 7, createdBy: by, ecfPenalty: 0.5 });
    const form = printForm(exam, variants, 1);
    expect(form.items[0].steps.map((s) => s.marks)).toEqual([2, 2, 2]);
    expect(form.marks).toBe(6);
    expect(form.rules.ecfPenalty).toBe(0.5);
  });
});
