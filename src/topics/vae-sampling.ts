/** PLACEHOLDER: replaced by the real vae-sampling topic. */
import { defineTopic } from '../solvers/topic.js';

export const vaeSampling = defineTopic<{ x: number }, { placeholder: number }>({
  id: 'vae-sampling',
  title: 'placeholder',
  summary: 'placeholder',
  paramsSchema: { type: 'object' },
  steps: { placeholder: { label: 'placeholder', kind: 'scalar', deps: [], formula: 'x', compute: (p) => p.x } },
  misconceptions: [],
  generate: (rng) => ({ x: rng.int(0, 9) }),
});
