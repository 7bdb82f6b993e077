/**
 * The step kernels (spec.ts) for tfjs-backend-wasm, the CPU default: the products go to the
 * backend's own BatchMatMul (XNNPACK), with operands laid out so that no transpose flag is used
 * (WASM multiplies about 12× slower with one); the elementwise rest (bias, ReLU and its mask, the
 * logistic gradient, Adam) runs as loops straight over the wasm heap. One registered kernel per
 * job, as on WebGPU, so a step counts the same kernels on both. Same values as the tf-ops
 * arithmetic in ops.ts (tests/models/step-kernels.test.ts).
 */
import type { Tf } from '../runtime.js';
import { ADAM, DENSE, DENSE_INPUT_GRAD, DENSE_PARAM_GRAD, LOGISTIC_GRAD, gradsOf, type AdamAttrs, type DenseAttrs, type InputGradAttrs, type LogisticAttrs } from './spec.js';

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}
type KernelFunc = (args: { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown>; backend: WasmBackend }) => TensorInfo;

export function installWasmStepKernels(tf: Tf): void {
  if (tf.getKernel(DENSE, 'wasm') || !tf.getKernel('BatchMatMul', 'wasm')) return;
  const bmmKernel = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc as unknown as KernelFunc;
  const transposeKernel = tf.getKernel('Transpose', 'wasm')!.kernelFunc as unknown as KernelFunc;
  // Heap views are taken after every allocation: allocating may grow (and so move) the heap.
  const heap = (backend: WasmBackend, t: TensorInfo): Float32Array => backend.typedArrayFromHeap(t);
  /**
   * a · b for [K, m, n] · [K, n, p], no transpose flags. One product per run: the wasm BatchMatMul
   * sends a batch of K > 1 distinct right-hand sides to a plain loop, about 6× slower per run than
   * XNNPACK's product on one (measured: 8 runs of the reference GAN step took 50× one run's time).
   */
  const bmm = (a: TensorInfo, b: TensorInfo, backend: WasmBackend): TensorInfo => {
    const [K, m, n] = a.shape;
    const p = b.shape[2];
    const one = (x: TensorInfo, y: TensorInfo): TensorInfo => bmmKernel({ inputs: { a: x, b: y }, attrs: { transposeA: false, transposeB: false }, backend });
    if (K === 1) return one(a, b);
    const out = backend.makeOutput([K, m, p], 'float32');
    for (let k = 0; k < K; k++) {
      // Fresh operands each time: the wasm backend caches XNNPACK's packed right-hand side by its
      // tensor, so rewriting one buffer in place would multiply by the first run's weights again.
      const ak = backend.makeOutput([1, m, n], 'float32');
      const bk = backend.makeOutput([1, n, p], 'float32');
      heap(backend, ak).set(heap(backend, a).subarray(k * m * n, (k + 1) * m * n));
      heap(backend, bk).set(heap(backend, b).subarray(k * n * p, (k + 1) * n * p));
      const ok = one(ak, bk);
      heap(backend, out).set(heap(backend, ok), k * m * p);
      for (const t of [ok, ak, bk]) backend.disposeData(t.dataId);
    }
    return out;
  };

  /** Each run's [in, out] weights (or their transpose) copied out of its state row into [K, in, out] ([K, out, in]). */
  const weights = (backend: WasmBackend, state: TensorInfo, offset: number, inn: number, out: number, transposed: boolean): TensorInfo => {
    const [K, stride] = state.shape;
    const w = backend.makeOutput(transposed ? [K, out, inn] : [K, inn, out], 'float32');
    const S = heap(backend, state);
    const W = heap(backend, w);
    for (let k = 0; k < K; k++) {
      const from = k * stride + offset;
      const to = k * inn * out;
      if (!transposed) {
        W.set(S.subarray(from, from + inn * out), to);
        continue;
      }
      for (let i = 0; i < inn; i++) for (let o = 0; o < out; o++) W[to + o * inn + i] = S[from + i * out + o];
    }
    return w;
  };

  const dense: KernelFunc = ({ inputs: { x, state }, attrs, backend }) => {
    const { offset, out, relu } = attrs as unknown as DenseAttrs;
    const [K, R, inn] = x.shape;
    const w = weights(backend, state, offset, inn, out, false);
    const y = bmm(x, w, backend);
    backend.disposeData(w.dataId);
    const Y = heap(backend, y);
    const S = heap(backend, state);
    const stride = state.shape[1];
    for (let k = 0; k < K; k++) {
      const b = k * stride + offset + inn * out;
      for (let r = 0; r < R; r++) {
        const row = (k * R + r) * out;
        for (let o = 0; o < out; o++) {
          const v = Y[row + o] + S[b + o];
          Y[row + o] = relu && v < 0 ? 0 : v;
        }
      }
    }
    return y;
  };

  const paramGrad: KernelFunc = ({ inputs: { a, d }, backend }) => {
    const [K, R, inn] = a.shape;
    const out = d.shape[2];
    const seg = inn * out + out;
    const aT = transposeKernel({ inputs: { x: a }, attrs: { perm: [0, 2, 1] }, backend });
    const dw = bmm(aT, d, backend);
    backend.disposeData(aT.dataId);
    const g = backend.makeOutput([K, seg], 'float32');
    const [G, DW, D] = [heap(backend, g), heap(backend, dw), heap(backend, d)];
    for (let k = 0; k < K; k++) {
      G.set(DW.subarray(k * inn * out, (k + 1) * inn * out), k * seg);
      const b = k * seg + inn * out;
      for (let o = 0; o < out; o++) G[b + o] = 0;
      for (let r = 0; r < R; r++) {
        const row = (k * R + r) * out;
        for (let o = 0; o < out; o++) G[b + o] += D[row + o];
      }
    }
    backend.disposeData(dw.dataId);
    return g;
  };

  const inputGrad: KernelFunc = ({ inputs: { d, state, mask }, attrs, backend }) => {
    const { offset, inn } = attrs as unknown as InputGradAttrs;
    const wT = weights(backend, state, offset, inn, d.shape[2], true);
    const dx = bmm(d, wT, backend);
    backend.disposeData(wT.dataId);
    if (mask) {
      const [DX, M] = [heap(backend, dx), heap(backend, mask)];
      for (let i = 0; i < DX.length; i++) if (!(M[i] > 0)) DX[i] = 0;
    }
    return dx;
  };

  const logisticGrad: KernelFunc = ({ inputs: { logits }, attrs, backend }) => {
    const { split, n } = attrs as unknown as LogisticAttrs;
    const [K, R] = logits.shape;
    const out = backend.makeOutput(logits.shape, 'float32');
    const [L, O] = [heap(backend, logits), heap(backend, out)];
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < R; r++) {
        const sign = r < split ? -1 : 1;
        O[k * R + r] = (sign / (1 + Math.exp(-sign * L[k * R + r]))) / n;
      }
    }
    return out;
  };

  const adam: KernelFunc = ({ inputs, attrs, backend }) => {
    const { params: P, beta1, beta2, eps, scale } = attrs as unknown as AdamAttrs;
    const state = inputs.state;
    const grads = gradsOf(inputs);
    const K = state.shape[0];
    const covered = grads.reduce((s, g) => s + g.shape[1], 0);
    if (covered !== P) throw new Error(`${ADAM}: the gradients cover ${covered} parameters, the state ${P}`);
    const out = backend.makeOutput(state.shape, 'float32');
    const S = heap(backend, state);
    const O = heap(backend, out);
    const Gs = grads.map((g) => heap(backend, g));
    for (let k = 0; k < K; k++) {
      const base = k * 3 * P;
      let p = 0;
      grads.forEach((g, i) => {
        const seg = g.shape[1];
        const G = Gs[i];
        for (let j = 0; j < seg; j++, p++) {
          const gi = G[k * seg + j];
          const m = Math.fround(beta1 * S[base + P + p] + gi);
          const v = Math.fround(beta2 * S[base + 2 * P + p] + gi * gi);
          O[base + p] = S[base + p] + (scale * m) / (Math.sqrt(v) + eps);
          O[base + P + p] = m;
          O[base + 2 * P + p] = v;
        }
      });
    }
    return out;
  };

  const kernels: [string, KernelFunc][] = [[DENSE, dense], [DENSE_PARAM_GRAD, paramGrad], [DENSE_INPUT_GRAD, inputGrad], [LOGISTIC_GRAD, logisticGrad], [ADAM, adam]];
  for (const [kernelName, kernelFunc] of kernels) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as never });
}
