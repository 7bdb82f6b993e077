/**
 * TensorFlow.js with a backend ladder, best first: WebGPU (Dawn through the `webgpu` package: any
 * Vulkan, Metal or D3D12 GPU), then @tensorflow/tfjs-node-gpu or tfjs-node if the user installed
 * them (never dependencies: their install downloads libtensorflow from a cloud bucket), then WASM
 * (the CPU default), then plain JS. STEPWISE_BACKEND forces one. Every backend passed over is
 * recorded with the reason, for `stepwise doctor`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { StepwiseError } from '../core/errors.js';
import { installWasmKernels } from './kernels.js';
import { installWasmStepKernels } from './step-kernels/wasm.js';
import { installWebGpuStepKernels } from './step-kernels/webgpu.js';

export type Tf = typeof import('@tensorflow/tfjs');

export const BACKENDS = ['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendReport {
  /** The backend in use. */
  backend: BackendName;
  /** The GPU adapter (WebGPU) or library, when known. */
  adapter?: string;
  /** Better backends that were not used, and why. */
  passedOver: { backend: BackendName; reason: string }[];
  /** Set when STEPWISE_BACKEND chose the backend. */
  forced?: boolean;
}

let loaded: Promise<{ tf: Tf; report: BackendReport }> | undefined;
let current: BackendName | undefined;

/** The process's TensorFlow.js, initialised once on the best backend (or the forced one). */
export function tensorflow(force = process.env.STEPWISE_BACKEND): Promise<{ tf: Tf; report: BackendReport }> {
  loaded ??= init(force).then((r) => {
    current = r.report.backend;
    return r;
  });
  return loaded;
}

/** The backend this process runs on, once tensorflow() has loaded it; undefined before (nothing is loaded to find out). */
export function loadedBackend(): BackendName | undefined {
  return current;
}

async function init(force: string | undefined): Promise<{ tf: Tf; report: BackendReport }> {
  if (force !== undefined && force !== '' && !(BACKENDS as readonly string[]).includes(force)) {
    throw new StepwiseError('invalid_request', `STEPWISE_BACKEND must be one of ${BACKENDS.join(', ')}, got "${force}"`, 'STEPWISE_BACKEND');
  }
  const passedOver: BackendReport['passedOver'] = [];
  const ladder = force ? [force as BackendName] : BACKENDS;
  for (const name of ladder) {
    const attempt = await TRY[name](Boolean(force));
    if ('tf' in attempt) {
      return { tf: attempt.tf, report: { backend: name, ...(attempt.adapter ? { adapter: attempt.adapter } : {}), passedOver, ...(force ? { forced: true } : {}) } };
    }
    passedOver.push({ backend: name, reason: attempt.reason });
  }
  const why = passedOver.map((p) => `${p.backend}: ${p.reason}`).join('; ');
  throw new StepwiseError('invalid_request', force ? `backend ${force} is not available (${why})` : `no TensorFlow.js backend is available (${why})`);
}

type Attempt = { tf: Tf; adapter?: string } | { reason: string };

async function use(name: string): Promise<Attempt> {
  const tf = await import('@tensorflow/tfjs');
  // Production mode: no console advice to install tfjs-node on the CPU backend.
  tf.enableProdMode();
  const ok = await tf.setBackend(name).catch(() => false);
  await tf.ready();
  return ok && tf.getBackend() === name ? { tf } : { reason: `tf.setBackend('${name}') failed` };
}

const TRY: Record<BackendName, (forced: boolean) => Promise<Attempt>> = {
  async webgpu(forced) {
    if (process.platform === 'linux' && !hasVulkanLoader()) return { reason: 'libvulkan.so.1 not found: Dawn needs the Vulkan loader (and a GPU driver)' };
    let gpu: { requestAdapter(): Promise<unknown> };
    try {
      const { create, globals } = (await import('webgpu')) as { create(flags: string[]): typeof gpu; globals: object };
      Object.assign(globalThis, globals);
      gpu = create([]);
    } catch (e) {
      return { reason: `the webgpu package did not load: ${(e as Error).message}` };
    }
    const adapter = (await gpu.requestAdapter().catch(() => null)) as { info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean } | null;
    if (!adapter) return { reason: 'Dawn found no GPU adapter' };
    const name = [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description].filter(Boolean).join(' ') || 'unknown adapter';
    // A software Vulkan (Mesa's llvmpipe, SwiftShader) runs shaders on the CPU, slower than WASM:
    // used only when asked for by name (the kernel tests run WGSL on it where no GPU is).
    if ((adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter) && !forced) return { reason: `only a software adapter (${name}), slower than WASM; STEPWISE_BACKEND=webgpu uses it` };
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    await import('@tensorflow/tfjs-backend-webgpu');
    const r = await use('webgpu');
    if ('tf' in r) installWebGpuStepKernels(r.tf);
    return 'tf' in r ? { ...r, adapter: name } : r;
  },
  'tensorflow-gpu': () => nativeBinding('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => nativeBinding('@tensorflow/tfjs-node'),
  async wasm() {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
    } catch (e) {
      return { reason: `@tensorflow/tfjs-backend-wasm did not load: ${(e as Error).message}` };
    }
    const r = await use('wasm');
    // Slice and SplitV that copy only the slice (kernels.ts).
    if ('tf' in r) {
      installWasmKernels(r.tf);
      installWasmStepKernels(r.tf);
    }
    return r;
  },
  cpu: () => use('cpu'),
};

/** tfjs-node(-gpu) registers the 'tensorflow' backend when imported; it is the user's to install. */
async function nativeBinding(pkg: string): Promise<Attempt> {
  try {
    await import(/* a user-installed optional package */ pkg);
  } catch (e) {
    const code = (e as { code?: string }).code;
    return { reason: code === 'ERR_MODULE_NOT_FOUND' ? `${pkg} is not installed (optional: npm install ${pkg})` : `${pkg} did not load: ${(e as Error).message}` };
  }
  const r = await use('tensorflow');
  return 'tf' in r ? { ...r, adapter: pkg } : r;
}

function hasVulkanLoader(): boolean {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  if (dirs.some((d) => existsSync(`${d}/libvulkan.so.1`))) return true;
  const ld = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  return ld.status === 0 && ld.stdout.includes('libvulkan.so.1');
}

/** `stepwise doctor`'s report as text. */
export function describeBackend(r: BackendReport): string {
  const lines = [`backend: ${r.backend}${r.forced ? ' (forced by STEPWISE_BACKEND)' : ''}${r.adapter ? ` — ${r.adapter}` : ''}`];
  for (const p of r.passedOver) lines.push(`  passed over ${p.backend}: ${p.reason}`);
  return lines.join('\n');
}
