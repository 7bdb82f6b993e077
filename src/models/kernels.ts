/**
 * Kernels the labs register over tfjs-backend-wasm's own. Its Slice (and SplitV, which slices once
 * per piece) reads the WHOLE input back out of the wasm heap for every slice taken: splitting a
 * flat parameter buffer into its 22 layers copied the buffer 22 times a step (for CLIP about a
 * million floats, more than the step's Adam update). These versions copy only the slice, straight
 * from the heap, when it is one contiguous run (any slice along the first axis, every 1-D slice);
 * any other slice goes to the original kernel. The others here (a copy-free Identity and
 * same-dtype Cast, a MaxPoolGrad for tiling pools, Adam with its parameter update in one kernel,
 * and wasm-simd.ts's batched BatchMatMul, column Sum and Transpose) likewise compute exactly the values of what they replace,
 * bit for bit, only faster: the lab runs' metrics do not change. Checked against the original
 * kernels (runOriginalKernel) in tests/models/kernels.test.ts.
 */
import { simdKernels } from './wasm-simd.js';
import type { Tf } from './runtime.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type TensorInfo = { dataId: object; shape: number[]; dtype: string };
interface WasmBackend {
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}
type KernelFunc = (args: { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown>; backend: WasmBackend }) => TensorInfo | TensorInfo[];

const installed = new WeakSet<object>();

/** tfjs-backend-wasm's own kernels that the labs' versions replace, by name (the tests compare the two). */
const originals = new Map<string, KernelFunc>();

/**
 * Runs tfjs-backend-wasm's own kernel `name` (as it was before installWasmKernels replaced it) on
 * tensors, for comparison with the labs' version.
 */
export function runOriginalKernel(tf: Tf, name: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown>): Tensor {
  const f = originals.get(name);
  if (!f) throw new Error(`no original wasm kernel ${name} was replaced`);
  const out = f({ inputs: inputs as never, attrs, backend: tf.backend() as never }) as TensorInfo;
  return tf.engine().makeTensorFromTensorInfo(out as never) as Tensor;
}

/** Replaces the wasm kernel `name` by `fast`, keeping the original for runOriginalKernel. */
function replace(tf: Tf, name: string, fast: (slow: KernelFunc) => KernelFunc): void {
  const original = tf.getKernel(name, 'wasm');
  if (!original) return;
  const slow = original.kernelFunc as unknown as KernelFunc;
  originals.set(name, slow);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fast(slow) as never, setupFunc: original.setupFunc });
}

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
  tf.registerKernel({ kernelName: FLAT_ADAM_APPLY, backendName: 'wasm', kernelFunc: flatAdamApplyKernel as never });
  installSharedCopies(tf);
  installMaxPoolGrad(tf);
  // Batched products, column sums and transposes in WebAssembly (wasm-simd.ts), where the engine has SIMD.
  const simd = simdKernels(tf);
  if (simd) {
    replace(tf, 'BatchMatMul', simd.batchMatMul as never);
    replace(tf, 'Sum', simd.columnSum as never);
    replace(tf, 'Transpose', simd.transpose as never);
  }
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

/**
 * FLAT_ADAM and the parameter update in one kernel, with no concatenation of the gradients and no
 * split of the step: inputs m, v, and per variable k a gradient g<k> and the variable w<k> (in
 * FlatAdam's order); attrs as FLAT_ADAM's plus count; outputs m', v' and each w<k> + delta<k>.
 * The arithmetic is FLAT_ADAM's, the step rounded to float32 (as FLAT_ADAM's output is) before
 * the float32 add that tf.add did, so every value is the same as concat → FLAT_ADAM → split →
 * add (tests/models/kernels.test.ts). For TVLT's 68 variables this is one kernel for ~140.
 */
export const FLAT_ADAM_APPLY = 'StepwiseFlatAdamApply';

const flatAdamApplyKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const count = attrs.count as number;
  const beta1 = attrs.beta1 as number;
  const beta2 = attrs.beta2 as number;
  const eps = attrs.eps as number;
  const scale = attrs.scale as number;
  const { m, v } = inputs;
  const ws = Array.from({ length: count }, (_, k) => inputs[`w${k}`]);
  const gs = Array.from({ length: count }, (_, k) => inputs[`g${k}`]);
  const outs = [backend.makeOutput(m.shape, 'float32'), backend.makeOutput(v.shape, 'float32'), ...ws.map((w) => backend.makeOutput(w.shape, 'float32'))];
  // Views after every allocation: allocating may move the heap.
  const heap = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  const [M, V] = [heap(m), heap(v)];
  const [M2, V2] = [heap(outs[0]), heap(outs[1])];
  let i = 0;
  for (let k = 0; k < count; k++) {
    const G = heap(gs[k]);
    const W = heap(ws[k]);
    const W2 = heap(outs[2 + k]);
    for (let j = 0; j < G.length; j++, i++) {
      const gi = G[j];
      const mi = Math.fround(beta1 * M[i] + gi);
      const vi = Math.fround(beta2 * V[i] + gi * gi);
      M2[i] = mi;
      V2[i] = vi;
      W2[j] = W[j] + Math.fround((scale * mi) / (Math.sqrt(vi) + eps));
    }
  }
  return outs;
};

/**
 * Identity (tf.clone, and every input a gradient tape saves: about 600 a TVLT step) and a Cast to
 * the same dtype (tfjs's Mul gradient casts its operands to float32) copy the whole tensor on
 * wasm. Tensors are immutable (a variable's assign swaps in a new buffer, and no wasm kernel writes
 * to its inputs), so these versions share the buffer instead, reference-counted as Reshape already
 * does: the cpu backend's Identity does the same. Other casts, and strings, go to the originals.
 */
function installSharedCopies(tf: Tf): void {
  const share = (x: TensorInfo, backend: WasmBackend): TensorInfo => {
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  replace(tf, 'Identity', (copy) => ({ inputs, attrs, backend }) => (inputs.x.dtype === 'string' ? copy({ inputs, attrs, backend }) : share(inputs.x, backend)));
  replace(tf, 'Cast', (convert) => ({ inputs, attrs, backend }) =>
    inputs.x.dtype === attrs.dtype && inputs.x.dtype !== 'string' ? share(inputs.x, backend) : convert({ inputs, attrs, backend }),
  );
}

/** The smallest positive normal float32 (C++'s numeric_limits<float>::min()). */
const FLT_MIN = 1.1754943508222875e-38;

/**
 * MaxPool's gradient for windows that tile the input (stride = window, no padding: CLIP's 2×2
 * pool), computed as tfjs-backend-wasm's C++ MaxPoolGrad computes it, without its per-pixel search
 * over covering windows: each window's maximum is the LAST value ≥ the best so far, starting from
 * (FLT_MIN, flat offset 0) — so a window of zeros (after ReLU) sends its gradient to flat offset 0,
 * as there — and each pixel gets 0 + dy · [it is its window's maximum] (its only covering window).
 * Overlapping, padded or dilated pools go to the original.
 */
function installMaxPoolGrad(tf: Tf): void {
  replace(tf, 'MaxPoolGrad', (slow) => ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs;
    const info = tf.backend_util.computePool2DInfo(input.shape as never, attrs.filterSize as never, attrs.strides as never, 1, attrs.pad as never, attrs.dimRoundingMode as never);
    const { batchSize: B, inChannels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, strideHeight: SH, strideWidth: SW } = info;
    const FH = info.effectiveFilterHeight;
    const FW = info.effectiveFilterWidth;
    const tiles = FH === SH && FW === SW && OH * SH === H && OW * SW === W && info.padInfo.top === 0 && info.padInfo.left === 0;
    if (input.dtype !== 'float32' || info.dilationHeight !== 1 || info.dilationWidth !== 1 || !tiles) return slow({ inputs, attrs, backend });
    const dx = backend.makeOutput(input.shape, 'float32');
    // Views after the allocation: allocating may move the heap.
    const X = backend.typedArrayFromHeap(input) as Float32Array;
    const DY = backend.typedArrayFromHeap(dy) as Float32Array;
    const DX = backend.typedArrayFromHeap(dx) as Float32Array;
    const best = new Float32Array(C);
    const at = new Int32Array(C);
    for (let b = 0; b < B; b++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          best.fill(FLT_MIN);
          at.fill(0);
          // Every channel's window in the C++'s order (row, then column).
          for (let y = oy * SH; y < oy * SH + FH; y++)
            for (let x = ox * SW; x < ox * SW + FW; x++) {
              const base = ((b * H + y) * W + x) * C;
              for (let c = 0; c < C; c++) {
                const v = X[base + c];
                if (v >= best[c]) {
                  best[c] = v;
                  at[c] = base + c;
                }
              }
            }
          const o = ((b * OH + oy) * OW + ox) * C;
          for (let y = oy * SH; y < oy * SH + FH; y++)
            for (let x = ox * SW; x < ox * SW + FW; x++) {
              const base = ((b * H + y) * W + x) * C;
              // 0 + dy·1 or 0 + dy·0 (+0, or NaN for a NaN dy), exactly as the C++'s float sum.
              for (let c = 0; c < C; c++) DX[base + c] = 0 + DY[o + c] * (at[c] === base + c ? 1 : 0);
            }
        }
    return dx;
  });
}

