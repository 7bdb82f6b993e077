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

  tf.unregisterKernel('Slice', 'wasm');
  tf.unregisterKernel('SplitV', 'wasm');
  const slicing = { kernelName: 'Slice', backendName: 'wasm', kernelFunc: fastSlice as never };
  tf.registerKernel(slicing);
  tf.registerKernel({ kernelName: 'SplitV', backendName: 'wasm', kernelFunc: fastSplit as never });
  installed.add(tf.getKernel('Slice', 'wasm') as object);
}
