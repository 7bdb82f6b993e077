/**
 * Kernels the labs register over tfjs-backend-wasm's own. Its Slice (and SplitV, which slices once
 * per piece) reads the WHOLE input back out of the wasm heap for every slice taken: splitting a
 * flat parameter buffer into its 22 layers copied the buffer 22 times a step (for CLIP about a
 * million floats, more than the step's Adam update). These versions copy only the slice, straight
 * from the heap, when it is one contiguous run (any slice along the first axis, every 1-D slice);
 * any other slice goes to the original kernel. Same values: tests/models/kernels.test.ts.
 */
import type { Tf } from './runtime.js';

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}
type KernelFunc = (args: { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown>; backend: WasmBackend }) => TensorInfo | TensorInfo[];

const installed = new WeakSet<object>();

export function installWasmKernels(tf: Tf): void {
  const original = tf.getKernel('Slice', 'wasm');
  const originalSplit = tf.getKernel('SplitV', 'wasm');
  if (!original || !originalSplit || installed.has(original)) return;
  const slow = original.kernelFunc as unknown as KernelFunc;
  const { slice_util: sliceUtil, util } = tf;

  /** x[begin : begin + size], copied from the heap when contiguous. */
  const slice = (x: TensorInfo, beginIn: number[], sizeIn: number[], backend: WasmBackend): TensorInfo => {
    const [begin, size] = sliceUtil.parseSliceParams(x as never, beginIn, sizeIn);
    if (x.dtype === 'string' || !sliceUtil.isSliceContinous(x.shape, begin, size)) {
      return slow({ inputs: { x }, attrs: { begin, size }, backend }) as TensorInfo;
    }
    const offset = sliceUtil.computeFlatOffset(begin, util.computeStrides(x.shape));
    const out = backend.makeOutput(size, x.dtype);
    // Views taken after makeOutput: allocating may grow (and so move) the heap.
    const from = backend.typedArrayFromHeap(x);
    backend.typedArrayFromHeap(out).set(from.subarray(offset, offset + util.sizeFromShape(size)) as never);
    return out;
  };

  const fastSlice: KernelFunc = ({ inputs, attrs, backend }) => slice(inputs.x, attrs.begin as number[], attrs.size as number[], backend);
  const fastSplit: KernelFunc = ({ inputs, attrs, backend }) => {
    const x = inputs.x;
    const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as never, attrs.numOrSizeSplits as number[], axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const piece = slice(x, [...begin], size, backend);
      begin[axis] += s;
      return piece;
    });
  };

  tf.registerKernel({ kernelName: FLAT_ADAM, backendName: 'wasm', kernelFunc: flatAdamKernel as never });
  tf.unregisterKernel('Slice', 'wasm');
  tf.unregisterKernel('SplitV', 'wasm');
  const slicing = { kernelName: 'Slice', backendName: 'wasm', kernelFunc: fastSlice as never };
  tf.registerKernel(slicing);
  tf.registerKernel({ kernelName: 'SplitV', backendName: 'wasm', kernelFunc: fastSplit as never });
  installed.add(tf.getKernel('Slice', 'wasm') as object);
}

/**
 * One kernel for FlatAdam's moment and step update over a flat buffer (optim.ts): inputs m, v
 * (the moments, kept scaled as FlatAdam keeps them) and g; attrs beta1, beta2, eps (already
 * scaled) and scale; outputs m' = β1·m + g, v' = β2·v + g², delta = scale · m' / (√v' + eps).
 * tf ops take nine kernels for the same (two multiplies, two adds, a square, a sqrt, an add, a
 * divide and a multiply). Registered for wasm only; elsewhere FlatAdam uses the tf ops. Checked
 * against tf.train.adam in tests/models/fused.test.ts (FlatAdam runs through it on wasm).
 */
export const FLAT_ADAM = 'StepwiseFlatAdam';

const flatAdamKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const { m, v, g } = inputs;
  const beta1 = attrs.beta1 as number;
  const beta2 = attrs.beta2 as number;
  const eps = attrs.eps as number;
  const scale = attrs.scale as number;
  const outs = [backend.makeOutput(m.shape, 'float32'), backend.makeOutput(v.shape, 'float32'), backend.makeOutput(m.shape, 'float32')];
  // Views after every allocation: allocating may move the heap.
  const [M, V, G] = [m, v, g].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  const [M2, V2, D] = outs.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  for (let i = 0; i < M.length; i++) {
    const gi = G[i];
    const mi = Math.fround(beta1 * M[i] + gi);
    const vi = Math.fround(beta2 * V[i] + gi * gi);
    M2[i] = mi;
    V2[i] = vi;
    D[i] = (scale * mi) / (Math.sqrt(vi) + eps);
  }
  return outs;
};
