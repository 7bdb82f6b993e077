/** A pinned, loose question from the command line: same problem for any seed, the assumption printed. */
import { describe, expect, it } from 'vitest';
import { stepwise } from './cli-helpers.js';

const PARAMS = JSON.stringify({ classes: ['cat', 'dog'], priors: [0.5, 0.3], likelihoods: [0.2, 0.6] });
const ASSUMED = 'params.priors: the entries of priors sum to 0.8, not 1: the remaining 0.2 is taken to belong to outcomes not listed, and the posteriors are normalised over the listed classes (cat, dog).';

describe('stepwise with a pinned question', () => {
  it('generates the same params for any seed, the prompt stating the assumption', () => {
    const a = JSON.parse(stepwise(['generate', 'pinned-bayes-class-left-out', '--seed', '1', '--json']).stdout);
    const b = JSON.parse(stepwise(['generate', 'pinned-bayes-class-left-out', '--seed', '2024', '--json']).stdout);
    expect(a.params).toEqual(JSON.parse(PARAMS));
    expect(b.params).toEqual(a.params);
    expect(a.prompt).toContain('*Assumed:* the entries of priors sum to 0.8, not 1');
  });

  it('solve and grade print the warning; --json carries it', () => {
    expect(stepwise(['solve', 'bayes-classification', '-p', PARAMS]).stdout).toContain(`warning: ${ASSUMED}`);
    expect(JSON.parse(stepwise(['solve', 'bayes-classification', '-p', PARAMS, '--json']).stdout).warnings).toEqual([ASSUMED]);
    const g = stepwise(['grade', 'pinned-bayes-class-left-out', '-p', PARAMS, '-a', '{"posterior": [0.357, 0.643], "decision": "dog"}']);
    expect(g.status).toBe(0);
    expect(g.stdout).toContain(`warning: ${ASSUMED}`);
  });

  it('impossible priors exit non-zero naming the field', () => {
    const r = stepwise(['solve', 'bayes-classification', '-p', JSON.stringify({ classes: ['cat', 'dog'], priors: [0.9, 0.6], likelihoods: [0.2, 0.6] })]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('params.priors');
  });
});
