/** PLACEHOLDER: replaced by the real positional-encoding topic. */
import { defineTopic } from '../solvers/topic.js';

export const positionalEncoding = defineTopic<{ x: number }, { placeholder: number }>({
  id: 'positional-encoding',
  title: 'placeholder',
  summary: 'placeholder',
  paramsSchema: { type: 'object' },
  steps: { placeholder: { label: 'placeholder', kind: 'scalar', deps: [], formula: 'x', compute: (p) => p.x } },
  misconceptions: [],
  generate: (rng) => ({ x: rng.int(0, 9) }),
});
