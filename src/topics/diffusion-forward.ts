/** PLACEHOLDER: replaced by the real diffusion-forward topic. */
import { defineTopic } from '../solvers/topic.js';

export const diffusionForward = defineTopic<{ x: number }, { placeholder: number }>({
  id: 'diffusion-forward',
  title: 'placeholder',
  summary: 'placeholder',
  paramsSchema: { type: 'object' },
  steps: { placeholder: { label: 'placeholder', kind: 'scalar', deps: [], formula: 'x', compute: (p) => p.x } },
  misconceptions: [],
  generate: (rng) => ({ x: rng.int(0, 9) }),
});
