/** The conceptual bank: file checks, per-seed presentation and grading into the numeric result shape. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInConcepts, loadConcepts, type ConceptItem } from '../src/bank/concepts.js';
import { checkConceptParams, conceptPrompt, presentConcept } from '../src/bank/concept-present.js';
import { conceptSolution, gradeConcept } from '../src/bank/concept-grade.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'concepts');
const bank = loadConcepts(FIXTURES);
const item = (id: string): ConceptItem => bank.items.get(id)!;
/** The letter a given option id is shown under for this presentation. */
const letterOf = (ids: string[], id: string): string => String.fromCharCode(65 + ids.indexOf(id));

describe('loading concept files', () => {
  it('loads the fixture and the built-in concepts clean', () => {
    expect(bank.problems).toEqual([]);
    expect(bank.items.size).toBe(7);
    expect(item('fx-order').section).toBe('fixture');
    expect(builtInConcepts().problems).toEqual([]);
  });

  it('names the failing field of a broken file and keeps the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-concepts-'));
    const good = JSON.parse(readFileSync(join(FIXTURES, 'small.json'), 'utf8')) as { items: Record<string, unknown>[] };
    writeFileSync(join(dir, 'a.json'), JSON.stringify(good));
    const twoRight = structuredClone(good);
    (twoRight.items[0].options as { correct: boolean }[])[1].correct = true;
    twoRight.items = [{ ...twoRight.items[0], id: 'two-right' }];
    writeFileSync(join(dir, 'b.json'), JSON.stringify(twoRight));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ section: 's', title: 't', items: [{ ...good.items[0], id: 'no-why', options: [{ id: 'a', text: 'x', correct: true }, { id: 'b', text: 'y', correct: false, why: 'w' }] }] }));
    writeFileSync(join(dir, 'd.json'), JSON.stringify({ section: 's', title: 't', items: [{ ...good.items[6], id: 'bad-re', patterns: ['('] }] }));
    writeFileSync(join(dir, 'e.json'), JSON.stringify({ section: 's', title: 't', items: [{ ...good.items[0], id: 'fx-single' }] }));
    writeFileSync(join(dir, 'f.json'), JSON.stringify({ section: 's', title: 't', items: [{ ...good.items[0], id: 'stray', answer: 3 }] }));
    // A text item needs one accepted answer for keys and worked solutions: patterns alone give none.
    const { accept: _accept, ...patternsOnly } = good.items[6] as { accept?: string[] };
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ section: 's', title: 't', items: [{ ...patternsOnly, id: 'patterns-only', patterns: ['^x$'] }] }));
    const b = loadConcepts(dir);
    const problem = (f: string) => b.problems.find((p) => p.file.endsWith(f));
    expect(b.items.has('fx-single')).toBe(true);
    expect(problem('b.json')).toMatchObject({ field: 'items[0].options', message: expect.stringMatching(/exactly one correct option, has 2/) });
    expect(problem('c.json')?.field).toBe('items[0].options[0].why');
    expect(problem('c.json')?.message).toMatch(/why/);
    expect(problem('d.json')?.field).toBe('items[0].patterns[0]');
    expect(problem('e.json')).toMatchObject({ field: 'items[0].id', message: expect.stringMatching(/already used/) });
    expect(problem('f.json')).toMatchObject({ field: 'items[0].answer' });
    expect(problem('g.json')).toMatchObject({ field: 'items[0].accept', message: expect.stringMatching(/at least one accepted answer/) });
    expect(b.problems).toHaveLength(6);
  });

  it('refuses an item id that is already a topic id in the built-in bank', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-concepts-'));
    const good = JSON.parse(readFileSync(join(FIXTURES, 'small.json'), 'utf8')) as { items: object[] };
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ section: 's', title: 't', items: [{ ...good.items[0], id: 'self-attention' }] }));
    expect(loadConcepts(dir, new Set(['self-attention'])).problems[0]?.field).toBe('items[0].id');
  });
});

describe('presentation per seed', () => {
  it('shuffles options with the seed: same seed same order, different seeds differ', () => {
    const it1 = item('fx-multiple');
    expect(presentConcept(it1, 7)).toEqual(presentConcept(it1, 7));
    const orders = new Set(Array.from({ length: 40 }, (_, s) => presentConcept(it1, s).options!.join()));
    expect(orders.size).toBeGreaterThan(5);
    for (const o of orders) expect(o.split(',').sort()).toEqual(['bn', 'fm', 'lr', 'mb']);
  });

  it('keeps a pinned item in its written order', () => {
    for (let s = 0; s < 20; s++) expect(presentConcept(item('fx-pinned'), s).options).toEqual(['p', 'q', 'r']);
  });

  it('never shows an ordering item already in the right order', () => {
    for (let s = 0; s < 200; s++) expect(presentConcept(item('fx-order'), s).order).not.toEqual(['sft', 'rm', 'ppo', 'ship']);
  });

  it('prompts with lettered options in the shown order', () => {
    const p = { options: ['c', 'a', 'b'] };
    const text = conceptPrompt(item('fx-single'), p);
    expect(text).toMatch(/\*\*A\.\*\* the decoder\n- \*\*B\.\*\* the discriminator\n- \*\*C\.\*\* the generator/);
  });

  it('refuses a presentation that is not a permutation of the item ids, naming the field', () => {
    expect(() => checkConceptParams(item('fx-single'), { options: ['a', 'a', 'b'] })).toThrow(expect.objectContaining({ code: 'invalid_params', path: 'params.options' }));
    expect(() => checkConceptParams(item('fx-single'), { options: ['a', 'b', 'c'], extra: 1 })).toThrow(expect.objectContaining({ path: 'params.extra' }));
    expect(() => checkConceptParams(item('fx-match'), { lefts: ['bert', 'gpt', 't5'] })).toThrow(expect.objectContaining({ path: 'params.rights' }));
  });
});

describe('grading', () => {
  const one = (it: ConceptItem, params: object, answer: unknown) => gradeConcept(it, params, { answer });

  it('single choice: the right letter, an option id, a distractor with its why as a named wrong answer', () => {
    const p = { options: ['c', 'a', 'b'] }; // A = decoder, B = discriminator (right), C = generator
    const right = one(item('fx-single'), p, 'b');
    expect(right).toMatchObject({ topic: 'fx-single', score: 1, maxScore: 1 });
    expect(right.steps[0]).toMatchObject({ id: 'answer', status: 'correct', credit: 1, marks: 1, expected: 'B' });
    const wrong = one(item('fx-single'), p, 'C').steps[0];
    expect(wrong).toMatchObject({ status: 'incorrect', credit: 0, misconception: { id: 'option-b', explanation: 'That is G.' } });
    expect(wrong.feedback).toContain('That is G.');
    expect(wrong.feedback).not.toMatch(/discriminator|\bB\b/);
    expect(one(item('fx-single'), p, 'E').steps[0]).toMatchObject({ status: 'invalid' });
    expect(one(item('fx-single'), p, 'zz').steps[0]).toMatchObject({ status: 'invalid' });
    expect(one(item('fx-single'), p, '').steps[0]).toMatchObject({ status: 'missing', credit: 0 });
  });

  it('multiple choice: right-minus-wrong, r/R − w/W times the marks, never below zero', () => {
    const it1 = item('fx-multiple'); // R = 2 (mb, fm), W = 2 (lr, bn), 4 marks
    const p = { options: ['lr', 'mb', 'bn', 'fm'] };
    const L = (id: string) => letterOf(p.options, id);
    const g = (ids: string[]) => one(it1, p, ids.map(L)).steps[0];
    expect(g(['mb', 'fm'])).toMatchObject({ status: 'correct', credit: 4 });
    expect(g(['mb'])).toMatchObject({ status: 'partial', credit: 2 }); // 4 × (1/2 − 0)
    expect(g(['mb', 'fm', 'lr'])).toMatchObject({ status: 'partial', credit: 2 }); // 4 × (1 − 1/2)
    expect(g(['mb', 'lr'])).toMatchObject({ status: 'incorrect', credit: 0 }); // 4 × (1/2 − 1/2)
    expect(g(['lr', 'bn'])).toMatchObject({ status: 'incorrect', credit: 0 }); // 4 × max(0, 0 − 1)
    expect(g(['mb', 'fm', 'lr', 'bn'])).toMatchObject({ credit: 0 }); // 4 × (1 − 1)
    expect(g(['mb', 'lr']).feedback).toContain('It destabilises training.');
    // Also as a comma list, and with ids; duplicates count once.
    expect(one(it1, p, `${L('mb')}, ${L('mb')},${L('fm')}`).steps[0].credit).toBe(4);
    expect(one(it1, p, ['mb', 'fm']).steps[0].credit).toBe(4);
    expect(one(it1, p, []).steps[0].status).toBe('missing');
    expect(one(it1, p, 'A').steps[0].expected).toBe(`${[L('mb'), L('fm')].sort().join(', ')}`);
  });

  it('ordering: the share of entries in their right position', () => {
    const it1 = item('fx-order'); // 2 marks; truth sft, rm, ppo, ship
    const p = { order: ['ppo', 'ship', 'sft', 'rm'] }; // A ppo, B ship, C sft, D rm
    expect(one(it1, p, 'C, D, A, B').steps[0]).toMatchObject({ status: 'correct', credit: 2, expected: 'C, D, A, B' });
    expect(one(it1, p, ['sft', 'rm', 'ship', 'ppo']).steps[0]).toMatchObject({ status: 'partial', credit: 1 }); // 2 of 4 placed
    expect(one(it1, p, ['C', 'A', 'D', 'B']).steps[0]).toMatchObject({ status: 'partial', credit: 1 }); // sft and ship right
    expect(one(it1, p, 'D C B A').steps[0]).toMatchObject({ status: 'incorrect', credit: 0 });
    expect(one(it1, p, 'cdab').steps[0]).toMatchObject({ status: 'correct', credit: 2 }); // letters typed without separators
    expect(one(it1, p, 'C, D, A').steps[0]).toMatchObject({ status: 'invalid' }); // not all placed
    expect(one(it1, p, 'C, C, A, B').steps[0]).toMatchObject({ status: 'invalid' });
  });

  it('matching: the share of lefts matched, by number/letter, by id/text, or as "1-B" pairs', () => {
    const it1 = item('fx-match'); // 3 marks
    const p = { lefts: ['t5', 'bert', 'gpt'], rights: ['gpt', '~1', 't5', 'bert'] };
    // 1 = T5 → C (span corruption), 2 = BERT → D, 3 = GPT → A
    expect(one(it1, p, { 1: 'C', 2: 'D', 3: 'A' }).steps[0]).toMatchObject({ status: 'correct', credit: 3, expected: '1-C, 2-D, 3-A' });
    expect(one(it1, p, '1-C, 2-D, 3-A').steps[0].credit).toBe(3);
    expect(one(it1, p, { t5: 'span corruption', bert: 'B', gpt: 'A' }).steps[0]).toMatchObject({ status: 'partial', credit: 2 });
    const g = one(it1, p, { 1: 'C', 2: 'B' }).steps[0]; // 3 left blank, 2 to the extra
    expect(g).toMatchObject({ status: 'partial', credit: 1 });
    expect(g.feedback).toContain('contrastive image-text loss');
    expect(one(it1, p, { 4: 'A' }).steps[0].status).toBe('invalid');
    expect(one(it1, p, { 1: 'Z' }).steps[0].status).toBe('invalid');
  });

  it('numeric: within the tolerance, a named wrong value, unreadable', () => {
    const it1 = item('fx-numeric');
    expect(one(it1, {}, 0.505).steps[0]).toMatchObject({ status: 'correct', credit: 1, expected: 0.5 });
    expect(one(it1, {}, '0.49').steps[0].status).toBe('correct');
    expect(one(it1, {}, 0.52).steps[0]).toMatchObject({ status: 'incorrect', credit: 0 });
    expect(one(it1, {}, 1).steps[0]).toMatchObject({ status: 'incorrect', misconception: { id: 'wrong-1' } });
    expect(one(it1, {}, 'half').steps[0].status).toBe('invalid');
  });

  it('text: accepted answers normalised, patterns, named wrong patterns', () => {
    const it1 = item('fx-text');
    expect(one(it1, {}, '  [cls] ').steps[0].status).toBe('correct');
    expect(one(it1, {}, 'The   CLS token').steps[0].status).toBe('correct');
    expect(one(it1, {}, '[SEP]').steps[0]).toMatchObject({ status: 'incorrect', misconception: { id: 'wrong-1', explanation: '[SEP] separates segments.' } });
    expect(one(it1, {}, 'mask').steps[0]).toMatchObject({ status: 'incorrect', feedback: 'Not correct.' });
  });

  it('warns about answer fields other than "answer" and refuses non-object answers', () => {
    const r = gradeConcept(item('fx-numeric'), {}, { answer: 0.5, extra: 1 });
    expect(r.warnings?.[0]).toMatch(/answers\.extra/);
    expect(() => gradeConcept(item('fx-numeric'), {}, [0.5])).toThrow(expect.objectContaining({ code: 'invalid_answers' }));
  });

  it('every built-in item earns full marks on its own expected answer for several seeds', () => {
    for (const it1 of builtInConcepts().items.values()) {
      for (const seed of [1, 2, 3]) {
        const p = presentConcept(it1, seed);
        const expected = gradeConcept(it1, p, {}).steps[0].expected;
        const answer = it1.kind === 'text' && typeof expected === 'string' && expected.startsWith('/') ? undefined : expected;
        if (answer === undefined) continue;
        const g = gradeConcept(it1, p, { answer });
        expect(g.score, `${it1.id} seed ${seed}`).toBe(g.maxScore);
        expect(conceptSolution(it1, p)).toContain(String(expected));
      }
    }
  });
});

describe('an item’s title in lists and page headings', () => {
  it('keeps short plain maths and turns a formula’s TeX into an ellipsis', async () => {
    const { conceptTitle } = await import('../src/bank/concept-topic.js');
    const item = { prompt: 'In $V(D, G) = \\mathbb{E}[\\log D(x)]$, what does $D$ do? Pick one.' } as ConceptItem;
    expect(conceptTitle(item)).toBe('In …, what does D do?');
  });
});
