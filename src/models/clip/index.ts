/** PLACEHOLDER: replaced by the real clip lab. */
import { defineLab } from '../lab.js';

export const clipLab = defineLab<{ steps: number }>({
  id: 'clip',
  title: 'placeholder',
  runs: { default: { summary: 'placeholder', defaults: { steps: 1 } } },
  configSchema: { type: 'object', additionalProperties: false, properties: { steps: { type: 'integer', minimum: 1 } }, required: ['steps'] },
  async run() {
    return { metrics: {}, artefacts: [] };
  },
});
