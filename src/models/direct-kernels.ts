/**
 * Backend kernels called straight, below tfjs's engine: no Tensor objects, no tape, no scopes — the
 * engine's bookkeeping is most of a small kernel's cost on the CPU backends. For a custom op's
 * insides (gan/critic-cpu.ts), where nothing is differentiated by the tape. Every buffer made or
 * returned is freed by dispose(); tests check that the backend holds no more buffers after.
 */
import type { Tf } from './runtime.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
export interface Info {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface Backend {
  write(values: Float32Array, shape: number[], dtype: string): object;
  /** The wasm backend's: where each buffer lives in its heap. */
  dataIdMap?: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm?: { HEAPU8: Uint8Array };
  readSync(dataId: object): Float32Array;
  disposeData(dataId: object, force?: boolean): boolean;
}
type KernelFunc = (args: { inputs: unknown; attrs: Record<string, unknown>; backend: Backend }) => Info | Info[];

export class DirectKernels {
  /** Kernels run through any instance so far (what a step launches, for tests and benchmarks: the engine's profile does not see them). */
  static launched = 0;
  private readonly backend: Backend;
  private readonly name: string;
  private readonly funcs = new Map<string, KernelFunc>();
  private made: Info[] = [];

  constructor(private readonly tf: Tf) {
    this.backend = tf.backend() as unknown as Backend;
    this.name = tf.getBackend();
  }

  /** A buffer holding values (copied by the wasm backend; kept as given by the cpu one: do not change them after). */
  make(values: Float32Array, shape: number[]): Info {
    const t = { dataId: this.backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
    this.made.push(t);
    return t;
  }

  /** An engine tensor as a kernel input (not freed by dispose). */
  static of(t: Tensor): Info {
    return { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
  }

  run(kernel: string, inputs: Record<string, Info> | Info[], attrs: Record<string, unknown> = {}): Info {
    let f = this.funcs.get(kernel);
    if (!f) {
      const k = this.tf.getKernel(kernel, this.name);
      if (!k) throw new Error(`no ${kernel} kernel on backend ${this.name}`);
      f = k.kernelFunc as unknown as KernelFunc;
      this.funcs.set(kernel, f);
    }
    DirectKernels.launched++;
    const out = f({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) throw new Error(`${kernel} gave several outputs`);
    this.made.push(out);
    return out;
  }

  read(t: Info): Float32Array {
    return this.backend.readSync(t.dataId);
  }

  /** t's values copied into `out` (of t's size): on WASM straight from the heap, with no array made. */
  readInto(t: Info, out: Float32Array): Float32Array {
    const at = heapOffset(this.backend, t.dataId);
    return at === undefined ? (out.set(this.backend.readSync(t.dataId)), out) : fromHeap(this.backend, at, out);
  }

  /** The same for an engine tensor: from the heap where the current backend holds it there, else by dataSync. */
  static readInto(tf: Tf, t: Tensor, out: Float32Array): Float32Array {
    const backend = tf.backend() as unknown as Backend;
    const at = t.dtype === 'float32' ? heapOffset(backend, t.dataId) : undefined;
    return at === undefined ? (out.set(t.dataSync() as Float32Array), out) : fromHeap(backend, at, out);
  }

  /** Frees every buffer made or returned since the last dispose. */
  dispose(): void {
    for (const t of this.made) this.backend.disposeData(t.dataId);
    this.made = [];
  }
}

/** Where the wasm backend holds a buffer in its heap (undefined on other backends, or for a buffer it does not hold). */
function heapOffset(backend: Backend, dataId: object): number | undefined {
  return backend.wasm ? backend.dataIdMap?.get(dataId)?.memoryOffset : undefined;
}

function fromHeap(backend: Backend, at: number, out: Float32Array): Float32Array {
  out.set(new Float32Array(backend.wasm!.HEAPU8.buffer, at, out.length));
  return out;
}
