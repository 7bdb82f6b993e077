/** PLACEHOLDER: replaced by the real tvlt lab. */
import { defineLab } from '../lab.js';

export const tvltLab = defineLab<{ steps: number }>({
  id: 'tvlt',
  title: 'placeholder',
  runs: { default: { summary: 'placeholder', defaults: { steps: 1 } } },
  configSchema: { type: 'object', additionalProperties: false, properties: { steps: { type: 'integer', minimum: 1 } }, required: ['steps'] },
  async run() {
    return { metrics: {}, artefacts: [] };
  },
});
