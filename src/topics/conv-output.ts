/**
 * conv-output: a 2-D convolution layer's output size ⌊(n + 2p − k)/s⌋ + 1 per spatial dimension,
 * its weights and biases, and (optionally) the size after a pooling layer that follows it.
 * Contract: the conv-output entry of the topic contract (tests/contract-ids.ts).
 */
import type { Tolerance } from '../core/tolerance.js';
import type { Rng } from '../generators/rng.js';
import { honour, shapeSchema, type Shape } from '../generators/shape.js';
import { paramsError } from '../solvers/params.js';
import { defineTopic, type Difficulty, type MisconceptionSpec } from '../solvers/topic.js';

export interface ConvOutputParams {
  /** [H, W]. */
  input: number[];
  channels_in: number;
  channels_out: number;
  /** Square k × k. */
  kernel: number;
  /** Default 1. */
  stride?: number;
  /** Default 0. */
  padding?: number;
  /** A pooling layer after the conv: both or neither. */
  pool_kernel?: number;
  pool_stride?: number;
}

type Steps = {
  out_h: number;
  out_w: number;
  weights: number;
  biases: number;
  total_params: number;
  pool_h: number;
  pool_w: number;
};

type P = ConvOutputParams;

/** Sizes and counts are whole numbers: an answer one off is wrong, so no relative slack. */
const EXACT: Tolerance = { absolute: 0 };

const MAX_SIZE = 16384;
const MAX_CHANNELS = 16384;
const MAX_KERNEL = 1024;

const strideOf = (p: P): number => p.stride ?? 1;
const paddingOf = (p: P): number => p.padding ?? 0;
const hasPool = (p: P): boolean => p.pool_kernel !== undefined && p.pool_stride !== undefined;

/** ⌊(n + 2p − k)/s⌋ + 1: the padded input holds that many kernel placements, s apart. */
const size = (n: number, k: number, s: number, pad: number): number => Math.floor((n + 2 * pad - k) / s) + 1;
const convSize = (p: P, dim: 0 | 1): number => size(p.input[dim], p.kernel, strideOf(p), paddingOf(p));
const poolSize = (p: P, out: number): number => Math.floor((out - p.pool_kernel!) / p.pool_stride!) + 1;

type Dim = { dim: 0 | 1; step: 'out_h' | 'out_w'; pool: 'pool_h' | 'pool_w'; suffix: string; name: string };
const DIMS: readonly Dim[] = [
  { dim: 0, step: 'out_h', pool: 'pool_h', suffix: 'h', name: 'height' },
  { dim: 1, step: 'out_w', pool: 'pool_w', suffix: 'w', name: 'width' },
];

/**
 * A wrong size formula, named once per dimension (misconception ids are unique within a topic).
 * It applies only where it gives a different size than the right one: where both agree (an exact
 * division makes flooring moot) the slip cannot be seen, and the generator need not avoid it.
 */
function sizeSlip(id: string, explanation: string, wrong: (n: number, p: P) => number): MisconceptionSpec<P, Steps>[] {
  return DIMS.map((d) => ({
    id: `${id}-${d.suffix}`,
    step: d.step,
    explanation,
    applies: (p: P) => wrong(p.input[d.dim], p) !== convSize(p, d.dim),
    compute: (p: P) => wrong(p.input[d.dim], p),
  }));
}

/** The same for the pooling sizes, from the (true or the student's) conv output size. */
function poolSlip(id: string, explanation: string, wrong: (out: number, p: P, n: number) => number, when: (p: P) => boolean = () => true): MisconceptionSpec<P, Steps>[] {
  return DIMS.map((d) => ({
    id: `${id}-${d.suffix}`,
    step: d.pool,
    explanation,
    applies: (p: P) => hasPool(p) && when(p) && wrong(convSize(p, d.dim), p, p.input[d.dim]) !== poolSize(p, convSize(p, d.dim)),
    compute: (p: P, s: Steps) => wrong(s[d.step], p, p.input[d.dim]),
  }));
}

const integer = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max }) as const;

export const convOutput = defineTopic<ConvOutputParams, Steps>({
  id: 'conv-output',
  title: 'Convolution output size and parameter count',
  summary: 'A conv layer’s output size ⌊(n + 2p − k)/s⌋ + 1, its weights and biases, and the size after a pooling layer.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['input', 'channels_in', 'channels_out', 'kernel'],
    properties: {
      input: { type: 'array', minItems: 2, maxItems: 2, items: integer(1, MAX_SIZE), description: '[H, W]' },
      channels_in: integer(1, MAX_CHANNELS),
      channels_out: integer(1, MAX_CHANNELS),
      kernel: integer(1, MAX_KERNEL),
      stride: { ...integer(1, MAX_KERNEL), default: 1 },
      padding: { ...integer(0, MAX_KERNEL), default: 0 },
      pool_kernel: integer(1, MAX_KERNEL),
      pool_stride: integer(1, MAX_KERNEL),
    },
  },
  checkParams(p) {
    if (p.pool_kernel !== undefined && p.pool_stride === undefined) paramsError('pool_stride', 'is missing; a pooling layer needs both pool_kernel and pool_stride');
    if (p.pool_stride !== undefined && p.pool_kernel === undefined) paramsError('pool_kernel', 'is missing; a pooling layer needs both pool_kernel and pool_stride');
    const pad = paddingOf(p);
    DIMS.forEach((d) => {
      const padded = p.input[d.dim] + 2 * pad;
      if (p.kernel > padded) {
        paramsError('kernel', `is ${p.kernel} but the padded input is only ${padded} ${d.name === 'height' ? 'high' : 'wide'} (input[${d.dim}] + 2·padding); the output would have no ${d.name}`);
      }
      if (hasPool(p) && p.pool_kernel! > convSize(p, d.dim)) {
        paramsError('pool_kernel', `is ${p.pool_kernel} but the conv output is only ${convSize(p, d.dim)} ${d.name === 'height' ? 'high' : 'wide'}; the pooled output would have no ${d.name}`);
      }
    });
  },
  steps: {
    out_h: {
      label: 'Output height',
      kind: 'scalar',
      deps: [],
      tolerance: EXACT,
      formula: 'H_{\\text{out}} = \\left\\lfloor \\frac{H + 2p - k}{s} \\right\\rfloor + 1',
      compute: (p) => convSize(p, 0),
    },
    out_w: {
      label: 'Output width',
      kind: 'scalar',
      deps: [],
      tolerance: EXACT,
      formula: 'W_{\\text{out}} = \\left\\lfloor \\frac{W + 2p - k}{s} \\right\\rfloor + 1',
      compute: (p) => convSize(p, 1),
    },
    weights: {
      label: 'Number of weights',
      kind: 'scalar',
      deps: [],
      tolerance: EXACT,
      formula: 'C_{\\text{out}} \\cdot C_{\\text{in}} \\cdot k \\cdot k',
      compute: (p) => p.channels_out * p.channels_in * p.kernel * p.kernel,
    },
    biases: {
      label: 'Number of biases',
      kind: 'scalar',
      deps: [],
      tolerance: EXACT,
      formula: 'C_{\\text{out}}',
      compute: (p) => p.channels_out,
    },
    total_params: {
      label: 'Total parameters',
      kind: 'scalar',
      deps: ['weights', 'biases'],
      tolerance: EXACT,
      formula: '\\text{weights} + \\text{biases}',
      compute: (_p, s) => s.weights + s.biases,
    },
    pool_h: {
      label: 'Height after pooling',
      kind: 'scalar',
      deps: ['out_h'],
      tolerance: EXACT,
      formula: '\\left\\lfloor \\frac{H_{\\text{out}} - k_{\\text{pool}}}{s_{\\text{pool}}} \\right\\rfloor + 1',
      when: hasPool,
      compute: (p, s) => poolSize(p, s.out_h),
    },
    pool_w: {
      label: 'Width after pooling',
      kind: 'scalar',
      deps: ['out_w'],
      tolerance: EXACT,
      formula: '\\left\\lfloor \\frac{W_{\\text{out}} - k_{\\text{pool}}}{s_{\\text{pool}}} \\right\\rfloor + 1',
      when: hasPool,
      compute: (p, s) => poolSize(p, s.out_w),
    },
  },
  misconceptions: [
    ...sizeSlip(
      'padding-subtracted',
      'You used the formula sheet’s ⌊(n − 2·padding − (k − 1))/s⌋ + 1, which is wrong: padding adds 2·padding rows and columns to the input, so the size is ⌊(n + 2·padding − k)/s⌋ + 1.',
      (n, p) => Math.floor((n - 2 * paddingOf(p) - (p.kernel - 1)) / strideOf(p)) + 1,
    ),
    ...sizeSlip(
      'plus-one-forgotten',
      'You forgot the + 1: ⌊(n + 2p − k)/s⌋ counts the strides between kernel placements; the first placement adds one more.',
      (n, p) => Math.floor((n + 2 * paddingOf(p) - p.kernel) / strideOf(p)),
    ),
    ...sizeSlip(
      'padding-one-side',
      'You added the padding once; it goes on both sides, so the padded input is n + 2·padding.',
      (n, p) => size(n, p.kernel, strideOf(p), paddingOf(p) / 2),
    ),
    ...sizeSlip(
      'not-floored',
      'You did not round down: a kernel placement that would run past the padded edge is dropped, so take ⌊(n + 2p − k)/s⌋ before adding 1.',
      (n, p) => (n + 2 * paddingOf(p) - p.kernel) / strideOf(p) + 1,
    ),
    ...sizeSlip(
      'rounded-up',
      'You rounded (n + 2p − k)/s up; the size uses the floor, since a placement that would run past the padded edge is dropped.',
      (n, p) => Math.ceil((n + 2 * paddingOf(p) - p.kernel) / strideOf(p)) + 1,
    ),
    ...sizeSlip(
      'stride-ignored',
      'You did not divide by the stride: the kernel moves s pixels at a time, so only every s-th placement is kept.',
      (n, p) => n + 2 * paddingOf(p) - p.kernel + 1,
    ),
    {
      id: 'weights-in-channels-forgotten',
      step: 'weights',
      explanation: 'You left out the input channels: each filter spans all C_in input channels, so it has C_in · k · k weights.',
      applies: (p) => p.channels_in > 1,
      compute: (p) => p.channels_out * p.kernel * p.kernel,
    },
    {
      id: 'weights-kernel-not-squared',
      step: 'weights',
      explanation: 'You counted the kernel once; a k × k kernel has k · k weights per input channel.',
      applies: (p) => p.kernel > 1,
      compute: (p) => p.channels_out * p.channels_in * p.kernel,
    },
    {
      id: 'weights-include-biases',
      step: 'weights',
      explanation: 'You counted the biases with the weights; here the weights alone are asked (C_out · C_in · k · k), the biases are the next step.',
      compute: (p) => p.channels_out * (p.channels_in * p.kernel * p.kernel + 1),
    },
    {
      id: 'biases-per-in-channel',
      step: 'biases',
      explanation: 'You gave one bias per input channel; a conv layer has one bias per filter, that is per output channel.',
      applies: (p) => p.channels_in !== p.channels_out,
      compute: (p) => p.channels_in,
    },
    {
      id: 'biases-per-output-position',
      step: 'biases',
      explanation: 'You gave a bias to every output position; the bias is shared across positions like the weights, one per output channel.',
      applies: (p) => convSize(p, 0) * convSize(p, 1) > 1,
      compute: (p) => p.channels_out * convSize(p, 0) * convSize(p, 1),
    },
    {
      id: 'total-without-biases',
      step: 'total_params',
      explanation: 'You left out the biases: the layer’s parameters are its weights plus its C_out biases.',
      compute: (_p, s) => s.weights,
    },
    ...poolSlip(
      'pool-with-conv-stride',
      'You pooled with the convolution’s stride; the pooling layer has its own stride.',
      (out, p) => Math.floor((out - p.pool_kernel!) / strideOf(p)) + 1,
      (p) => strideOf(p) !== p.pool_stride,
    ),
    ...poolSlip(
      'pool-on-input',
      'You pooled the input size; the pooling layer reads the convolution’s output.',
      (_out, p, n) => Math.floor((n - p.pool_kernel!) / p.pool_stride!) + 1,
    ),
    ...poolSlip(
      'pool-with-padding',
      'You padded before pooling; the padding belongs to the convolution, and this pooling layer has none.',
      (out, p) => Math.floor((out + 2 * paddingOf(p) - p.pool_kernel!) / p.pool_stride!) + 1,
      (p) => paddingOf(p) > 0,
    ),
    ...poolSlip(
      'pool-plus-one-forgotten',
      'You forgot the + 1 in the pooling size: ⌊(n − k)/s⌋ counts the steps between windows; the first window adds one more.',
      (out, p) => Math.floor((out - p.pool_kernel!) / p.pool_stride!),
    ),
  ],
  shapes: shapeSchema({ pool: { type: 'boolean', description: 'a pooling layer after the convolution (true) or none (false)' } }),
  generate: (rng, difficulty, shape) => generate(rng, difficulty, shape),
  templateData(p, s) {
    const [H, W] = p.input;
    const stride = strideOf(p);
    const padding = paddingOf(p);
    return {
      H,
      W,
      square: H === W,
      stride,
      padding,
      pool: hasPool(p),
      poolKernel: p.pool_kernel ?? 0,
      poolStride: p.pool_stride ?? 0,
      exactH: (H + 2 * padding - p.kernel) % stride === 0,
      exactW: (W + 2 * padding - p.kernel) % stride === 0,
      perFilter: p.channels_in * p.kernel * p.kernel,
      outputs: s.out_h * s.out_w * p.channels_out,
    };
  },
  degenerate(p, s) {
    if (s.out_h < 2 || s.out_w < 2) return 'the convolution output is a single row or column';
    if (hasPool(p) && (s.pool_h < 1 || s.pool_w < 1)) return 'the pooling window does not fit';
    return null;
  },
});

interface Gen {
  sizes: readonly number[];
  square: number;
  kernels: readonly number[];
  strides: readonly number[];
  paddings: readonly number[];
  cin: readonly number[];
  cout: readonly number[];
  pool: number;
  pools: readonly [number, number][];
}

const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

const GEN: Record<Difficulty, Gen> = {
  // A square input, stride 1: the size is n + 2p − k + 1 without a floor.
  easy: { sizes: range(6, 64), square: 1, kernels: [3, 5], strides: [1], paddings: [0, 1, 2], cin: [1, 3], cout: [4, 6, 8, 10, 12, 16, 32], pool: 0, pools: [] },
  // Stride 1 or 2 (a floor sometimes bites), sometimes a non-square input and a 2×2 pool.
  medium: {
    sizes: range(16, 128),
    square: 0.7,
    kernels: [3, 5, 7],
    strides: [1, 2],
    paddings: [0, 1, 2, 3],
    cin: [1, 3, 8, 16],
    cout: [8, 16, 24, 32, 64],
    pool: 0.5,
    pools: [[2, 2], [3, 2]],
  },
  // Larger strides (floors that bite), realistic first layers (224, 227, 11×11 stride 4), and a pool.
  hard: {
    sizes: [...range(20, 128), 150, 160, 192, 200, 224, 227, 256],
    square: 0.5,
    kernels: [3, 5, 7, 11],
    strides: [2, 3, 4],
    paddings: [0, 1, 2, 3],
    cin: [3, 16, 32, 64],
    cout: [16, 32, 48, 64, 96, 128, 256],
    pool: 0.75,
    pools: [[2, 2], [3, 2], [3, 3], [2, 1]],
  },
};

function generate(rng: Rng, difficulty: Difficulty, shape: Shape): ConvOutputParams {
  const g = GEN[difficulty];
  const H = rng.pick(g.sizes);
  const W = rng.int(0, 99) < g.square * 100 ? H : rng.pick(g.sizes);
  const p: ConvOutputParams = {
    input: [H, W],
    channels_in: rng.pick(g.cin),
    channels_out: rng.pick(g.cout),
    kernel: rng.pick(g.kernels),
  };
  const stride = rng.pick(g.strides);
  const padding = rng.pick(g.paddings);
  if (stride !== 1 || difficulty !== 'easy') p.stride = stride;
  if (padding !== 0 || difficulty !== 'easy') p.padding = padding;
  const drawnPool = g.pools.length > 0 && rng.int(0, 99) < g.pool * 100;
  if (honour(rng, drawnPool, shape.pool as boolean | undefined)) {
    const [k, s] = rng.pick(g.pools.length > 0 ? g.pools : GEN.medium.pools);
    p.pool_kernel = k;
    p.pool_stride = s;
  }
  return p; // every size list starts above its largest kernel, so the kernel always fits
}
