/**
 * WGAN-GP's critic loss on the CPU backends as ONE custom op over D's flat parameter buffer: the
 * forward computes the loss and its whole gradient in D's parameters at once, the backward only
 * scales that gradient (training skips even that: criticLossAndGradient's gradient goes straight to
 * Adam). Through tfjs's tape the same step launched about 400 kernels (a forward per batch, the
 * written-out input gradient, then the tape's gradient of all of it); here 39, called below
 * the engine (direct-kernels.ts), which on WASM — where each kernel costs more engine overhead than
 * arithmetic at these sizes — was most of the run. WebGPU keeps the tensor-op version (losses.ts),
 * which this one is checked against, value and gradient, in tests/models/gan.test.ts.
 *
 * D is hidden layers z_k = h_{k−1}·W_k + b_k, h_k = leakyRelu(z_k), then out = h_L·w_o + b_o. One
 * forward runs [real; fake; between] (shared weights), and the chain δ_k = ∂out/∂z_k over all rows:
 *   δ_L = m_L ⊙ w_oᵀ,  δ_{k−1} = (δ_k·W_kᵀ) ⊙ m_{k−1},  ∇ₓD = δ_1·W_1ᵀ,
 * with m_k the leaky ReLU's slopes (1 or 0.2, constant in the weights almost everywhere).
 * The loss Σ_i c_i·out_i + λ·mean_between (‖∇ₓD‖ − 1)², with c = −1/n on real rows, +1/n on fake
 * rows and 0 between, has the gradient (R the penalty's gradient in ∇ₓD, zero off the between rows)
 *   W_1: (c⊙x + R)ᵀ·δ_1,   W_{k+1}: (c⊙h_k + A_k)ᵀ·δ_{k+1},   w_o: Σ_i (c⊙h_L + D_L ⊙ m_L)_i,
 *   b_k: Σ_i c_i·δ_k,i,    b_o: Σ c,
 * where D_1 = R·W_1, A_k = D_k ⊙ m_k and D_{k+1} = A_k·W_{k+1}: the value terms' backward is the
 * δ chain scaled by c, so both parts share each weight gradient's product.
 */
import type { Tf } from '../runtime.js';
import { DirectKernels, type Info } from '../direct-kernels.js';
import { directForward, directLayers } from '../direct-mlp.js';
import type { Discriminator } from './nets.js';

type Scalar = import('@tensorflow/tfjs').Scalar;
type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

/**
 * E[D(fake)] − E[D(real)] + λ·E[(‖∇D(x̂)‖ − 1)²] with x̂ = real + u·(fake − real), differentiable in
 * D's flat parameters (the batches and u are data). real and fake have the same rows; u is [n, 1].
 */
export function criticLossOnCpu(tf: Tf, d: Discriminator, real: Tensor2D, fake: Tensor2D, u: Tensor, gpWeight: number): Scalar {
  const f = tf.customGrad((...args) => {
    const { loss, grad } = criticLossAndGradient(tf, d, real, fake, u, gpWeight, args[0] as unknown as Tensor);
    return {
      value: tf.scalar(loss),
      gradFunc: (dy: Tensor) => {
        const s = dy.dataSync()[0];
        return tf.tensor1d(s === 1 ? grad : grad.map((g) => g * s));
      },
    };
  }) as unknown as (theta: Tensor) => Scalar;
  return f(d.net.theta);
}

/**
 * The same loss and its gradient in D's flat parameters, as numbers: for a training step that
 * hands the gradient straight to the optimiser (train.ts), with no tape at all.
 */
export function criticLossAndGradient(tf: Tf, d: Discriminator, real: Tensor2D, fake: Tensor2D, u: Tensor, gpWeight: number, theta: Tensor = d.net.theta): { loss: number; grad: Float32Array } {
  if (d.mbd) throw new Error('criticLossOnCpu: D with minibatch features has no written-out input gradient');
  const [n, width] = real.shape;
  if (fake.shape[0] !== n || fake.shape[1] !== width || u.size !== n) throw new Error(`criticLossOnCpu: real [${real.shape}], fake [${fake.shape}] and u [${u.shape}] do not match`);
  const rows = 3 * n;
  const dims = d.net.dims;
  const depth = dims.length - 1;
  // [real; fake; between], the interpolates rounded as the tensor ops round them (sub, mul, add in float32).
  const rv = real.dataSync();
  const fv = fake.dataSync();
  const uv = u.dataSync();
  const x = new Float32Array(rows * width);
  x.set(rv, 0);
  x.set(fv, n * width);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < width; a++) {
      const r = rv[i * width + a];
      x[(2 * n + i) * width + a] = Math.fround(r + Math.fround(uv[i] * Math.fround(fv[i * width + a] - r)));
    }
  }
  const c = new Float32Array(rows);
  c.fill(-1 / n, 0, n);
  c.fill(1 / n, n, 2 * n);

  const K = new DirectKernels(tf);
  const bmm = (a: Info, b: Info): Info => K.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  // Explicit transposes: tfjs-backend-wasm multiplies with a transpose flag about 12× slower (nn.ts).
  const t3 = (a: Info): Info => K.run('Transpose', { x: a }, { perm: [0, 2, 1] });
  const mul = (a: Info, b: Info): Info => K.run('Multiply', { a, b });
  const rowsOf = (t: Info, begin: number, count: number): Info => K.run('Slice', { x: t }, { begin: [0, begin, 0], size: [1, count, t.shape[2]] });
  const concat = (ts: Info[], axis: number): Info => K.run('Concat', ts, { axis });

  /** The loss and its gradient, as numbers. */
  const evaluate = (theta: Tensor): { loss: number; grad: Float32Array } => {
    try {
      // The layers' weights ([1, in, out], and transposed) and biases, from one read of the buffer.
      const layers = directLayers(K, K.read(DirectKernels.of(theta)), dims, 0, dims.length);
      const { W, WT } = layers;
      const hidden = dims[depth][0];
      // Forward: H[k] is layer k's input (H[0] = x), M[k] the slopes of hidden layer k's leaky ReLU
      // (0.2 at 0, as nets.ts's inputGradient); only the linear output layer has none.
      const F = directForward(K, layers, K.make(x, [1, rows, width]), 'leakyrelu', 'linear');
      const { H } = F;
      const M = F.masks.slice(0, depth) as Info[];
      const out = H[depth + 1];
      // δ[k] = ∂out/∂z of hidden layer k, every row. The output layer's weights [hidden, 1] read as a row are its transpose.
      const delta: Info[] = [];
      delta[depth - 1] = mul(M[depth - 1], { ...WT[depth], shape: [1, 1, hidden] });
      for (let k = depth - 1; k >= 1; k--) delta[k - 1] = mul(bmm(delta[k], WT[k]), M[k - 1]);
      const gx = K.read(bmm(delta[0], WT[0]));
      const ov = K.read(out);

      // The loss, and R = ∂(λ·penalty)/∂(∇ₓD), which is zero but on the between rows (kept: n rows).
      let sumReal = 0;
      let sumFake = 0;
      for (let i = 0; i < n; i++) {
        sumReal += ov[i];
        sumFake += ov[n + i];
      }
      let penalty = 0;
      const R = new Float32Array(n * width);
      for (let i = 0; i < n; i++) {
        const at = (2 * n + i) * width;
        let s = 0;
        for (let a = 0; a < width; a++) s += gx[at + a] ** 2;
        // The small constant keeps sqrt differentiable where the gradient vanishes (as losses.ts).
        const norm = Math.sqrt(s + 1e-12);
        penalty += (norm - 1) ** 2;
        const coef = (gpWeight * 2 * (norm - 1)) / (norm * n);
        for (let a = 0; a < width; a++) R[i * width + a] = coef * gx[at + a];
      }
      const loss = sumFake / n - sumReal / n + (gpWeight * penalty) / n;

      // Gradient. Each layer's weights and bias are one product [Z | c]ᵀ·δ ([in + 1, out], laid out
      // as the buffer holds them: W row by row, then b). Z_1ᵀ with its row c is built here, transposed.
      const z1t = new Float32Array((width + 1) * rows);
      for (let i = 0; i < rows; i++) {
        for (let a = 0; a < width; a++) z1t[a * rows + i] = c[i] * x[i * width + a] + (i >= 2 * n ? R[(i - 2 * n) * width + a] : 0);
        z1t[width * rows + i] = c[i];
      }
      const cCol = K.make(c.slice(0, 2 * n), [1, 2 * n, 1]);
      const cRow = K.make(c, [1, 1, rows]);
      const between = (t: Info): Info => rowsOf(t, 2 * n, n);
      // c is zero on the between rows, so c⊙h is computed on the real and fake rows only.
      const valueRows = (h: Info): Info => mul(rowsOf(h, 0, 2 * n), cCol);
      const dWb: Info[] = [bmm(K.make(z1t, [1, width + 1, rows]), delta[0])];
      // back = ∂(penalty)/∂δ_k on the between rows (the penalty reaches no other row).
      let back = bmm(K.make(R, [1, n, width]), W[0]);
      for (let k = 0; k < depth - 1; k++) {
        const A = mul(back, between(M[k]));
        const zt = t3(concat([valueRows(H[k + 1]), A], 1));
        dWb[k + 1] = bmm(concat([zt, cRow], 1), delta[k + 1]);
        back = bmm(A, W[k + 1]);
      }
      const dWo = K.run('Sum', { x: concat([valueRows(H[depth]), mul(back, between(M[depth - 1]))], 1) }, { axis: [0, 1], keepDims: false });
      const grad = new Float32Array(theta.size);
      let at = 0;
      for (let k = 0; k < depth; k++) {
        const g = K.read(dWb[k]);
        grad.set(g, at);
        at += g.length;
      }
      grad.set(K.read(dWo), at);
      at += hidden;
      let sumC = 0;
      for (let i = 0; i < rows; i++) sumC += c[i];
      grad[at] = sumC;
      return { loss, grad };
    } finally {
      K.dispose();
    }
  };

  return evaluate(theta);
}
