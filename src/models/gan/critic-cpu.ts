/**
 * WGAN-GP's critic loss on the CPU backends as ONE custom op over D's flat parameter buffer: the
 * forward computes the loss and its whole gradient in D's parameters at once, the backward only
 * scales that gradient. Through tfjs's tape the same step launched about 400 kernels (a forward per
 * batch, the written-out input gradient, then the tape's gradient of all of it); here about 45
 * untaped ones, which on WASM — where each kernel costs more engine overhead than arithmetic at
 * these sizes — is most of the run. WebGPU keeps the tensor-op version (losses.ts), which this one
 * is checked against, value and gradient, in tests/models/gan.test.ts.
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
import type { Discriminator } from './nets.js';

type Scalar = import('@tensorflow/tfjs').Scalar;
type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;

/** D's leaky ReLU slope (nets.ts). */
const LEAK = 0.2;

/**
 * E[D(fake)] − E[D(real)] + λ·E[(‖∇D(x̂)‖ − 1)²] with x̂ = real + u·(fake − real), differentiable in
 * D's flat parameters (the batches and u are data). real and fake have the same rows; u is [n, 1].
 */
export function criticLossOnCpu(tf: Tf, d: Discriminator, real: Tensor2D, fake: Tensor2D, u: Tensor, gpWeight: number): Scalar {
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

  const engine = tf.engine();
  const bmm = (a: Tensor, b: Tensor): Tensor => engine.runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }) as Tensor;
  const dense = (a: Tensor, w: Tensor, bias: Tensor, activation: 'leakyrelu' | 'linear'): Tensor =>
    engine.runKernel('_FusedMatMul', { a, b: w, bias }, { transposeA: false, transposeB: false, activation, leakyreluAlpha: LEAK }) as Tensor;
  // Explicit transposes: tfjs-backend-wasm multiplies with a transpose flag about 12× slower (nn.ts).
  const t3 = (a: Tensor): Tensor => tf.transpose(a, [0, 2, 1]);

  /** The loss and its gradient, as numbers. */
  const evaluate = (theta: Tensor): { loss: number; grad: Float32Array } =>
    tf.tidy(() => {
      const parts = tf.split(theta, dims.flatMap(([i, o]) => [i * o, o]));
      const W = dims.map(([i, o], k) => tf.reshape(parts[2 * k], [1, i, o]));
      const B = dims.map((_, k) => parts[2 * k + 1]);
      const hidden = dims[depth][0];
      // Forward: H[k] is layer k's input (H[0] = x), M[k] the slopes of hidden layer k's activation.
      const H: Tensor[] = [tf.tensor3d(x, [1, rows, width])];
      const M: Tensor[] = [];
      for (let k = 0; k < depth; k++) {
        H.push(dense(H[k], W[k], B[k], 'leakyrelu'));
        // The output keeps its input's sign, so its step gives the slope (0.2 at 0, as nets.ts's inputGradient).
        M.push(tf.step(H[k + 1], LEAK));
      }
      const out = dense(H[depth], W[depth], B[depth], 'linear');
      // δ[k] = ∂out/∂z of hidden layer k, every row.
      const delta: Tensor[] = [];
      delta[depth - 1] = tf.mul(M[depth - 1], tf.reshape(parts[2 * depth], [1, 1, hidden]));
      for (let k = depth - 1; k >= 1; k--) delta[k - 1] = tf.mul(bmm(delta[k], t3(W[k])), M[k - 1]);
      const gx = bmm(delta[0], t3(W[0])).dataSync();
      const ov = out.dataSync();

      // The loss, and R = ∂(λ·penalty)/∂(∇ₓD) on the between rows.
      let sumReal = 0;
      let sumFake = 0;
      for (let i = 0; i < n; i++) {
        sumReal += ov[i];
        sumFake += ov[n + i];
      }
      let penalty = 0;
      const R = new Float32Array(rows * width);
      for (let i = 2 * n; i < rows; i++) {
        let s = 0;
        for (let a = 0; a < width; a++) s += gx[i * width + a] ** 2;
        // The small constant keeps sqrt differentiable where the gradient vanishes (as losses.ts).
        const norm = Math.sqrt(s + 1e-12);
        penalty += (norm - 1) ** 2;
        const coef = (gpWeight * 2 * (norm - 1)) / (norm * n);
        for (let a = 0; a < width; a++) R[i * width + a] = coef * gx[i * width + a];
      }
      const loss = sumFake / n - sumReal / n + (gpWeight * penalty) / n;

      // Gradient. Z1ᵀ = (c⊙x + R)ᵀ is built transposed here, so W_1's needs no transpose kernel.
      const z1t = new Float32Array(width * rows);
      for (let i = 0; i < rows; i++) for (let a = 0; a < width; a++) z1t[a * rows + i] = c[i] * x[i * width + a] + R[i * width + a];
      const cCol = tf.tensor3d(c, [1, rows, 1]);
      const cRow = tf.tensor3d(c, [1, 1, rows]);
      const dW: Tensor[] = [bmm(tf.tensor3d(z1t, [1, width, rows]), delta[0])];
      let back = bmm(tf.tensor3d(R, [1, rows, width]), W[0]);
      for (let k = 0; k < depth - 1; k++) {
        const A = tf.mul(back, M[k]);
        dW[k + 1] = bmm(t3(tf.add(tf.mul(H[k + 1], cCol), A)), delta[k + 1]);
        back = bmm(A, W[k + 1]);
      }
      const dWo = tf.sum(tf.add(tf.mul(H[depth], cCol), tf.mul(back, M[depth - 1])), [0, 1]);
      const grad = new Float32Array(theta.size);
      let at = 0;
      for (let k = 0; k < depth; k++) {
        grad.set(dW[k].dataSync(), at);
        at += dW[k].size;
        grad.set(bmm(cRow, delta[k]).dataSync(), at);
        at += dims[k][1];
      }
      grad.set(dWo.dataSync(), at);
      at += hidden;
      let sumC = 0;
      for (let i = 0; i < rows; i++) sumC += c[i];
      grad[at] = sumC;
      return { loss, grad };
    });

  const f = tf.customGrad((...args) => {
    const { loss, grad } = evaluate(args[0] as unknown as Tensor);
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
