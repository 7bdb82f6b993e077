/** PLACEHOLDER: replaced by the real kl-discrete topic. */
import { defineTopic } from '../solvers/topic.js';

export const klDiscrete = defineTopic<{ x: number }, { placeholder: number }>({
  id: 'kl-discrete',
  title: 'placeholder',
  summary: 'placeholder',
  paramsSchema: { type: 'object' },
  steps: { placeholder: { label: 'placeholder', kind: 'scalar', deps: [], formula: 'x', compute: (p) => p.x } },
  misconceptions: [],
  generate: (rng) => ({ x: rng.int(0, 9) }),
});
