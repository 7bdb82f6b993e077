/**
 * GPU dispatches a function launches on the WebGPU backend, counted where tfjs-backend-webgpu
 * records each one (recordAndSubmit) — the figure a dispatch-bound step pays for. A kernel that
 * only reshapes or aliases a buffer dispatches nothing; a kernel tfjs splits into several programs
 * dispatches several. Undefined on other backends.
 */
import type { Tf } from '../runtime.js';

export function countDispatches(tf: Tf, f: () => void): number | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  const backend = tf.backend() as unknown as { recordAndSubmit: (...args: unknown[]) => unknown };
  const original = backend.recordAndSubmit;
  let n = 0;
  backend.recordAndSubmit = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  try {
    f();
  } finally {
    backend.recordAndSubmit = original;
  }
  return n;
}
