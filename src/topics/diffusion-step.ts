/** PLACEHOLDER: replaced by the real diffusion-step topic. */
import { defineTopic } from '../solvers/topic.js';

export const diffusionStep = defineTopic<{ x: number }, { placeholder: number }>({
  id: 'diffusion-step',
  title: 'placeholder',
  summary: 'placeholder',
  paramsSchema: { type: 'object' },
  steps: { placeholder: { label: 'placeholder', kind: 'scalar', deps: [], formula: 'x', compute: (p) => p.x } },
  misconceptions: [],
  generate: (rng) => ({ x: rng.int(0, 9) }),
});
