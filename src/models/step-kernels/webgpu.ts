/**
 * The step kernels (spec.ts) as WGSL compute shaders for tfjs-backend-webgpu: each registered kernel
 * is exactly one dispatch. A training step is dispatch-bound on WebGPU (about 100 µs a kernel on the
 * reference H200), so what matters here is one shader per job: a dense layer with its bias and ReLU,
 * a layer's whole parameter gradient (weights and bias), its input gradient with the previous
 * ReLU's mask, the logistic loss's gradient, and Adam over a network's state row. The shaders are
 * plain (one output element per thread, no tiling): at these sizes the launch, not the arithmetic,
 * is the cost. Checked against the tf-ops arithmetic on Mesa's software Vulkan where no GPU is
 * (tests/models/step-kernels.test.ts).
 */
import type { Tf } from '../runtime.js';
import { ADAM, DENSE, DENSE_INPUT_GRAD, DENSE_PARAM_GRAD, LOGISTIC_GRAD, gradsOf, type AdamAttrs, type DenseAttrs, type InputGradAttrs, type LogisticAttrs } from './spec.js';

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type Uniform = { type: 'int32' | 'float32'; data: number[] };

/** tfjs-backend-webgpu's WebGPUProgram, the fields this file sets. */
interface Program {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms?: string;
  getUserCode(): string;
}
interface WebGpuBackend {
  runWebGPUProgram(program: Program, inputs: TensorInfo[], dtype: string, uniforms?: Uniform[]): TensorInfo;
}
type KernelFunc = (args: { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown>; backend: WebGpuBackend }) => TensorInfo;

const WORKGROUP = 64;

/** A program run as one flat dispatch of `threads` invocations; main(index) is its body. */
function program(key: string, variableNames: string[], outputShape: number[], threads: number, uniforms: string, body: string): Program {
  return {
    variableNames,
    outputShape,
    shaderKey: key,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(threads / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    ...(uniforms ? { uniforms } : {}),
    getUserCode: () => `fn main(index : i32) {\n${body}\n}`,
  };
}

const dense: KernelFunc = ({ inputs: { x, state }, attrs, backend }) => {
  const { offset, out, relu } = attrs as unknown as DenseAttrs;
  const [K, R] = x.shape;
  const p = program('stepwise_dense', ['X', 'S'], [K, R, out], K * R * out, 'offset : i32, relu : i32,', `
  if (index >= uniforms.size) { return; }
  let inn = uniforms.xShape.z;
  let rows = uniforms.xShape.y;
  let out = uniforms.outShape.z;
  let o = index % out;
  let kr = index / out;
  let w = (kr / rows) * uniforms.sShape.y + uniforms.offset;
  let xb = kr * inn;
  var acc = 0.0;
  for (var j = 0; j < inn; j++) {
    acc = acc + X[xb + j] * S[w + j * out + o];
  }
  acc = acc + S[w + inn * out + o];
  if (uniforms.relu != 0) { acc = max(acc, 0.0); }
  result[index] = acc;`);
  return backend.runWebGPUProgram(p, [x, state], 'float32', [{ type: 'int32', data: [offset] }, { type: 'int32', data: [relu ? 1 : 0] }]);
};

const paramGrad: KernelFunc = ({ inputs: { a, d }, backend }) => {
  const [K, , inn] = a.shape;
  const out = d.shape[2];
  const seg = inn * out + out;
  const p = program('stepwise_dense_param_grad', ['A', 'D'], [K, seg], K * seg, '', `
  if (index >= uniforms.size) { return; }
  let inn = uniforms.aShape.z;
  let rows = uniforms.aShape.y;
  let out = uniforms.dShape.z;
  let seg = inn * out + out;
  let k = index / seg;
  let j = index % seg;
  var acc = 0.0;
  if (j < inn * out) {
    let i = j / out;
    let o = j % out;
    for (var r = 0; r < rows; r++) {
      let kr = k * rows + r;
      acc = acc + A[kr * inn + i] * D[kr * out + o];
    }
  } else {
    let o = j - inn * out;
    for (var r = 0; r < rows; r++) {
      acc = acc + D[(k * rows + r) * out + o];
    }
  }
  result[index] = acc;`);
  return backend.runWebGPUProgram(p, [a, d], 'float32');
};

const inputGrad: KernelFunc = ({ inputs: { d, state, mask }, attrs, backend }) => {
  const { offset, inn } = attrs as unknown as InputGradAttrs;
  const [K, R] = d.shape;
  const masked = mask !== undefined;
  const p = program(`stepwise_dense_input_grad_${masked ? 'masked' : 'plain'}`, masked ? ['D', 'S', 'M'] : ['D', 'S'], [K, R, inn], K * R * inn, 'offset : i32,', `
  if (index >= uniforms.size) { return; }
  let inn = uniforms.outShape.z;
  let rows = uniforms.outShape.y;
  let out = uniforms.dShape.z;
  let j = index % inn;
  let kr = index / inn;
  let w = (kr / rows) * uniforms.sShape.y + uniforms.offset + j * out;
  let db = kr * out;
  var acc = 0.0;
  for (var o = 0; o < out; o++) {
    acc = acc + D[db + o] * S[w + o];
  }
  ${masked ? 'if (M[index] <= 0.0) { acc = 0.0; }' : ''}
  result[index] = acc;`);
  return backend.runWebGPUProgram(p, masked ? [d, state, mask] : [d, state], 'float32', [{ type: 'int32', data: [offset] }]);
};

const logisticGrad: KernelFunc = ({ inputs: { logits }, attrs, backend }) => {
  const { split, n } = attrs as unknown as LogisticAttrs;
  const [K, R] = logits.shape;
  const p = program('stepwise_logistic_grad', ['L'], [K, R, 1], K * R, 'split : i32, invN : f32,', `
  if (index >= uniforms.size) { return; }
  let r = index % uniforms.lShape.y;
  let sign = select(1.0, -1.0, r < uniforms.split);
  let s = 1.0 / (1.0 + exp(-sign * L[index]));
  result[index] = s * sign * uniforms.invN;`);
  return backend.runWebGPUProgram(p, [logits], 'float32', [{ type: 'int32', data: [split] }, { type: 'float32', data: [1 / n] }]);
};

const adam: KernelFunc = ({ inputs, attrs, backend }) => {
  const { params, beta1, beta2, eps, scale } = attrs as unknown as AdamAttrs;
  const state = inputs.state;
  const grads = gradsOf(inputs);
  const [K] = state.shape;
  // Each layer's segment read from its own gradient input: the segment bounds are compiled in.
  const bounds: number[] = [];
  let at = 0;
  for (const g of grads) bounds.push((at += g.shape[1]));
  if (at !== params) throw new Error(`${ADAM}: the gradients cover ${at} parameters, the state ${params}`);
  let pick = `g = G${grads.length - 1}[k * ${grads[grads.length - 1].shape[1]} + p - ${bounds[grads.length - 2] ?? 0}];`;
  for (let i = grads.length - 2; i >= 0; i--) {
    pick = `if (p < ${bounds[i]}) { g = G${i}[k * ${grads[i].shape[1]} + p - ${bounds[i - 1] ?? 0}]; } else { ${pick} }`;
  }
  const names = ['S', ...grads.map((_, i) => `G${i}`)];
  const p = program(`stepwise_adam_${bounds.join('_')}`, names, [K, 3 * params], K * params, 'params : i32, beta1 : f32, beta2 : f32, eps : f32, scale : f32,', `
  let P = uniforms.params;
  if (index >= uniforms.sShape.x * P) { return; }
  let k = index / P;
  let p = index % P;
  var g = 0.0;
  ${pick}
  let base = k * 3 * P + p;
  let m = uniforms.beta1 * S[base + P] + g;
  let v = uniforms.beta2 * S[base + 2 * P] + g * g;
  result[base] = S[base] + uniforms.scale * m / (sqrt(v) + uniforms.eps);
  result[base + P] = m;
  result[base + 2 * P] = v;`);
  const f = (x: number): Uniform => ({ type: 'float32', data: [x] });
  return backend.runWebGPUProgram(p, [state, ...grads], 'float32', [{ type: 'int32', data: [params] }, f(beta1), f(beta2), f(eps), f(scale)]);
};

/** Registers the kernels for the webgpu backend (once). */
export function installWebGpuStepKernels(tf: Tf): void {
  if (tf.getKernel(DENSE, 'webgpu')) return;
  const kernels: [string, KernelFunc][] = [[DENSE, dense], [DENSE_PARAM_GRAD, paramGrad], [DENSE_INPUT_GRAD, inputGrad], [LOGISTIC_GRAD, logisticGrad], [ADAM, adam]];
  for (const [kernelName, kernelFunc] of kernels) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: kernelFunc as never });
}
