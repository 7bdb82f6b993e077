/** A topic's declaration is checked when it is registered: a wrong graph fails loudly at start. */
import { describe, expect, it } from 'vitest';
import { checkTopicDeclaration } from '../src/solvers/graph.js';
import { defineTopic } from '../src/solvers/topic.js';

type S = { a: number; b: number; c: number };
const base = {
  title: 't',
  summary: 's',
  paramsSchema: { type: 'object' },
  misconceptions: [],
  generate: () => ({}),
};
const step = (deps: (keyof S)[]) => ({ label: 'x', kind: 'scalar' as const, deps, formula: 'x', compute: () => 1 });

describe('topic declaration checks', () => {
  it('accepts a well-formed graph', () => {
    const t = defineTopic<object, S>({ ...base, id: 'ok', steps: { a: step([]), b: step(['a']), c: step(['a', 'b']) } });
    expect(() => checkTopicDeclaration(t)).not.toThrow();
  });

  it('names a dependency cycle', () => {
    const t = defineTopic<object, S>({ ...base, id: 'cyc', steps: { a: step(['c']), b: step(['a']), c: step(['b']) } });
    expect(() => checkTopicDeclaration(t)).toThrow(/topic cyc: step a depends on c, which is not declared before it \(cycle a → c → b → a\)/);
  });

  it('names an unknown dep, a duplicate misconception id, and a misconception on an unknown step', () => {
    const unknown = defineTopic<object, S>({ ...base, id: 'u', steps: { a: step([]), b: step(['z' as keyof S]), c: step([]) } });
    expect(() => checkTopicDeclaration(unknown)).toThrow(/step b depends on unknown step z/);
    const m = { id: 'same', step: 'a' as const, explanation: 'e', compute: () => 1 };
    const dup = defineTopic<object, S>({ ...base, id: 'd', steps: { a: step([]), b: step([]), c: step([]) }, misconceptions: [m, m] });
    expect(() => checkTopicDeclaration(dup)).toThrow(/misconception id same is used twice/);
    const bad = defineTopic<object, S>({ ...base, id: 'm', steps: { a: step([]), b: step([]), c: step([]) }, misconceptions: [{ ...m, step: 'q' as keyof S & string }] });
    expect(() => checkTopicDeclaration(bad)).toThrow(/misconception same names unknown step q/);
  });
});
