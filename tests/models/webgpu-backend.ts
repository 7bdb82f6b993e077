/**
 * For the WebGPU test files: the process's TensorFlow.js on WebGPU (a GPU, or Mesa's software
 * Vulkan where there is none), loaded before the file's tests; and, on CI, a test that fails when
 * no adapter was found (.ci/run installs Mesa), where elsewhere the WebGPU tests just skip.
 */
import { beforeAll, expect, it } from 'vitest';
import { tensorflow, type Tf } from '../../src/models/runtime.js';

export function useWebGpu(): { tf(): Tf | undefined } {
  let tf: Tf | undefined;
  let why = '';
  beforeAll(async () => {
    try {
      tf = (await tensorflow('webgpu')).tf;
    } catch (e) {
      why = (e as Error).message;
    }
  }, 60_000);
  it.runIf(process.env.CI === 'true')('a WebGPU adapter is available (CI installs Mesa’s software Vulkan)', () => {
    expect(why).toBe('');
  });
  return { tf: () => tf };
}
