/** PLACEHOLDER: replaced by the real bahdanau-attention topic. */
import { defineTopic } from '../solvers/topic.js';

export const bahdanauAttention = defineTopic<{ x: number }, { placeholder: number }>({
  id: 'bahdanau-attention',
  title: 'placeholder',
  summary: 'placeholder',
  paramsSchema: { type: 'object' },
  steps: { placeholder: { label: 'placeholder', kind: 'scalar', deps: [], formula: 'x', compute: (p) => p.x } },
  misconceptions: [],
  generate: (rng) => ({ x: rng.int(0, 9) }),
});
