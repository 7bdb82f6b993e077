/** The `stepwise` command as a user runs it: output, --json, exit codes and error messages. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stepwise } from './cli-helpers.js';
import { CONTRACT } from './contract-ids.js';

const I = [[1, 0], [0, 1]];
const params = { X: [[1, 0], [1, 1]], W_Q: I, W_K: [[1, 1], [0, 1]], W_V: I };

describe('stepwise CLI', () => {
  it('lists every contract topic', () => {
    const r = stepwise(['topics', '--json']);
    expect(r.status).toBe(0);
    const topics = JSON.parse(r.stdout) as { id: string; steps: { id: string }[] }[];
    expect(topics.map((t) => t.id).sort()).toEqual(Object.keys(CONTRACT).sort());
    expect(stepwise(['topics']).stdout).toMatch(/self-attention\s+Self-attention/);
  });

  it('generates the same problem for the same seed, and prints the seed it chose', () => {
    const a = stepwise(['generate', 'self-attention', '--seed', '77', '-d', 'hard', '--json']);
    const b = stepwise(['generate', 'self-attention', '--seed', '77', '-d', 'hard', '--json']);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout)).toMatchObject({ topic: 'self-attention', seed: 77, difficulty: 'hard' });
    const human = stepwise(['generate', 'self-attention']);
    expect(human.stdout).toMatch(/^self-attention · seed \d+ · medium/);
    expect(human.stdout).toMatch(/X = ⎡/);
  });

  it('solves from inline JSON or @file and prints the worked solution', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-cli-'));
    const file = join(dir, 'params.json');
    writeFileSync(file, JSON.stringify(params));
    const inline = JSON.parse(stepwise(['solve', 'self-attention', '--params', JSON.stringify(params), '--json']).stdout);
    const fromFile = JSON.parse(stepwise(['solve', 'self-attention', '--params', `@${file}`, '--json']).stdout);
    expect(fromFile).toEqual(inline);
    expect(inline.steps.find((s: { id: string }) => s.id === 'scores').value).toEqual([[1, 1], [2, 3]]);
    const worked = stepwise(['solve', 'self-attention', '-p', `@${file}`, '--worked']);
    expect(worked.stdout).toMatch(/\\sqrt\{d_k\}/);
  });

  it('grades, human-readable and --json', () => {
    const answers = JSON.stringify({ scores: [[1, 1], [2, 4]], scaled_scores: [[0.70711, 0.70711], [1.41421, 2.82843]] });
    const json = JSON.parse(stepwise(['grade', 'self-attention', '-p', JSON.stringify(params), '-a', answers, '--json']).stdout);
    expect(json.steps.find((s: { id: string }) => s.id === 'scaled_scores').status).toBe('carried');
    const human = stepwise(['grade', 'self-attention', '-p', JSON.stringify(params), '-a', answers]);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/↪ Scaled scores .* carried/);
  });

  it('bad input exits 2 with a message naming it', () => {
    const cases: [string[], RegExp][] = [
      [['solve', 'nope', '-p', '{}'], /unknown topic "nope"/],
      [['solve', 'self-attention', '-p', '{"X":'], /--params is not valid JSON/],
      [['solve', 'self-attention', '-p', '@/no/such/file.json'], /--params: cannot read \/no\/such\/file.json/],
      [['solve', 'self-attention', '-p', '{"X":[[1]],"W_Q":[[1]],"W_K":[[1]]}'], /params\.W_V is required/],
      [['generate', 'self-attention', '--seed=-4'], /--seed must be a non-negative integer/],
      [['generate', 'self-attention', '--colour'], /unknown option '--colour'/],
      [['generate', 'self-attention', '--seed', '99999999999'], /seed must be an integer from 0 to 4294967295/],
      [['grade', 'self-attention', '-p', JSON.stringify(params), '-a', '[1]'], /answers must be a JSON object/],
    ];
    for (const [args, message] of cases) {
      const r = stepwise(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    const json = stepwise(['solve', 'nope', '-p', '{}', '--json']);
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'unknown_topic' } });
    expect(stepwise(['generate', 'self-attention', '-d', 'insane']).stderr).toMatch(/Allowed choices are easy, medium, hard/);
  });

  it('lists the question bank', () => {
    const r = stepwise(['questions', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).problems).toEqual([]);
  });

  it('lists conceptual items, and generates, solves and grades one by its id', () => {
    const list = JSON.parse(stepwise(['questions', '--json']).stdout) as { concepts: { id: string; kind: string }[] };
    expect(list.concepts).toContainEqual(expect.objectContaining({ id: 'example-rlhf-stages', kind: 'ordering' }));
    const gen = stepwise(['generate', 'example-optimal-d-equilibrium', '--seed', '3', '--json']);
    expect(gen.status, gen.stderr).toBe(0);
    expect(JSON.parse(gen.stdout)).toMatchObject({ topic: 'example-optimal-d-equilibrium', params: {}, steps: ['answer'] });
    const graded = stepwise(['grade', 'example-optimal-d-equilibrium', '--params', '{}', '--answers', '{"answer":"1"}', '--json']);
    expect(JSON.parse(graded.stdout)).toMatchObject({ score: 0, steps: [{ status: 'incorrect', misconception: { id: 'wrong-1' } }] });
  });
});
