/** PLACEHOLDER: replaced by the real bayes-classification topic. */
import { defineTopic } from '../solvers/topic.js';

export const bayesClassification = defineTopic<{ x: number }, { placeholder: number }>({
  id: 'bayes-classification',
  title: 'placeholder',
  summary: 'placeholder',
  paramsSchema: { type: 'object' },
  steps: { placeholder: { label: 'placeholder', kind: 'scalar', deps: [], formula: 'x', compute: (p) => p.x } },
  misconceptions: [],
  generate: (rng) => ({ x: rng.int(0, 9) }),
});
