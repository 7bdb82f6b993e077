/** The registry of mini-model labs. */
import { StepwiseError } from '../core/errors.js';
import { clipLab } from './clip/index.js';
import { ganLab } from './gan/index.js';
import type { Lab } from './lab.js';
import { tvltLab } from './tvlt/index.js';

export const LABS: readonly Lab[] = [ganLab, clipLab, tvltLab];

export function getLab(id: unknown): Lab {
  const lab = LABS.find((l) => l.id === id);
  if (!lab) throw new StepwiseError('invalid_request', `unknown lab ${JSON.stringify(id)}; labs: ${LABS.map((l) => l.id).join(', ')}`, 'lab');
  return lab;
}
