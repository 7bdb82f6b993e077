/** PLACEHOLDER: replaced by the real kl-gaussian topic. */
import { defineTopic } from '../solvers/topic.js';

export const klGaussian = defineTopic<{ x: number }, { placeholder: number }>({
  id: 'kl-gaussian',
  title: 'placeholder',
  summary: 'placeholder',
  paramsSchema: { type: 'object' },
  steps: { placeholder: { label: 'placeholder', kind: 'scalar', deps: [], formula: 'x', compute: (p) => p.x } },
  misconceptions: [],
  generate: (rng) => ({ x: rng.int(0, 9) }),
});
