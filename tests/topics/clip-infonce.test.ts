/**
 * clip-infonce golden cases, worked by hand from Î = I/‖I‖, T̂ = T/‖T‖, L = Î T̂ᵀ / τ,
 * L_image = mean_i −ln softmax(row i)[i], L_text = mean_j −ln softmax(column j)[j], L = their mean.
 *
 * I = [[3, 4], [4, 3]], T = [[6, 8], [0, 2]], τ = 0.5:
 * Î = [[0.6, 0.8], [0.8, 0.6]], T̂ = [[0.6, 0.8], [0, 1]];
 * cosines Î₁·T̂₁ = 0.36 + 0.64 = 1, Î₁·T̂₂ = 0.8, Î₂·T̂₁ = 0.48 + 0.48 = 0.96, Î₂·T̂₂ = 0.6;
 * L = [[2, 1.6], [1.92, 1.2]].
 * Rows: ln(1 + e^(1.6−2)) = ln 1.670320 = 0.513015; ln(1 + e^(1.92−1.2)) = ln 3.054433 = 1.116594;
 * L_image = (0.513015 + 1.116594)/2 = 0.814805.
 * Columns: ln(1 + e^(1.92−2)) = ln 1.923116 = 0.653946; ln(1 + e^(1.6−1.2)) = ln 2.491825 = 0.913015;
 * L_text = (0.653946 + 0.913015)/2 = 0.783481.
 * L = (0.814805 + 0.783481)/2 = 0.799143.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveProblem } from '../../src/engine.js';
import { errorOf, expectClose, runGolden, solved, type GoldenCase } from '../helpers.js';

const params = { image_emb: [[3, 4], [4, 3]], text_emb: [[6, 8], [0, 2]], temperature: 0.5 };
const right = {
  image_norm: [[0.6, 0.8], [0.8, 0.6]],
  text_norm: [[0.6, 0.8], [0, 1]],
  logits: [[2, 1.6], [1.92, 1.2]],
  loss_image: 0.814805,
  loss_text: 0.783481,
  loss: 0.799143,
};

const cases: GoldenCase[] = [
  {
    name: 'hand-worked answers are all correct',
    params,
    answers: right,
    expect: { image_norm: 'correct', text_norm: 'correct', logits: 'correct', loss_image: 'correct', loss_text: 'correct', loss: 'correct' },
    score: 6,
  },
  {
    name: 'math strings are read',
    params,
    answers: {
      image_norm: '[[3, 4], [4, 3]] / 5',
      logits: '[[1, 0.8], [0.96, 0.6]] / 0.5',
      loss_image: '(ln(1 + e^-0.4) + ln(1 + e^0.72)) / 2',
      loss: '(0.814805 + 0.783481)/2',
    },
    expect: { image_norm: 'correct', logits: 'correct', loss_image: 'correct', loss: 'correct' },
  },
  {
    // No temperature: L = [[1, 0.8], [0.96, 0.6]]. Rows: ln(1 + e^−0.2) = ln 1.818731 = 0.598139,
    // ln(1 + e^0.36) = ln 2.433329 = 0.889261 → 0.743700. Columns: ln(1 + e^−0.04) = ln 1.960789 = 0.673347,
    // ln(1 + e^0.2) = ln 2.221403 = 0.798139 → 0.735743. Mean 0.739722.
    name: 'the temperature left out, carried through both losses and their mean',
    params,
    answers: { ...right, logits: [[1, 0.8], [0.96, 0.6]], loss_image: 0.7437, loss_text: 0.735743, loss: 0.739722 },
    expect: { image_norm: 'correct', text_norm: 'correct', logits: 'incorrect', loss_image: 'carried', loss_text: 'carried', loss: 'carried' },
    misconceptions: { logits: 'logits-no-temperature' },
    score: 5,
  },
  {
    name: 'image rows not normalised',
    params,
    answers: { image_norm: [[3, 4], [4, 3]] },
    expect: { image_norm: 'incorrect' },
    misconceptions: { image_norm: 'image-not-normalised' },
  },
  {
    // Divided by |3| + |4| = 7: [[3/7, 4/7], [4/7, 3/7]].
    name: 'image rows normalised by the L1 norm',
    params,
    answers: { image_norm: [[0.428571, 0.571429], [0.571429, 0.428571]] },
    expect: { image_norm: 'incorrect' },
    misconceptions: { image_norm: 'image-l1-normalised' },
  },
  {
    // The 0 agrees with the truth; the status is left to the grader's rule for a whole answer that
    // matches a misconception, the misconception is what this case is about.
    name: 'text rows not normalised',
    params,
    answers: { text_norm: [[6, 8], [0, 2]] },
    expect: {},
    misconceptions: { text_norm: 'text-not-normalised' },
  },
  {
    // Raw dot products 3·6 + 4·8 = 50, 4·2 = 8, 4·6 + 3·8 = 48, 3·2 = 6, over τ: [[100, 16], [96, 12]].
    name: 'logits from the raw embeddings (no normalising)',
    params,
    answers: { logits: [[100, 16], [96, 12]] },
    expect: { logits: 'incorrect' },
    misconceptions: { logits: 'logits-unnormalised' },
  },
  {
    // Cosines times τ: [[0.5, 0.4], [0.48, 0.3]].
    name: 'logits multiplied by τ',
    params,
    answers: { logits: [[0.5, 0.4], [0.48, 0.3]] },
    expect: { logits: 'incorrect' },
    misconceptions: { logits: 'logits-times-temperature' },
  },
  {
    // Texts in the rows: [[2, 1.92], [1.6, 1.2]] (the diagonal agrees, as for any transpose).
    name: 'logits transposed',
    params,
    answers: { logits: [[2, 1.92], [1.6, 1.2]] },
    expect: {},
    misconceptions: { logits: 'logits-transposed' },
  },
  {
    // Sum 1.629609; log10: 0.814805 / 2.302585 = 0.353864.
    name: 'image loss summed over the batch',
    params,
    answers: { loss_image: 1.629609, loss_text: 0.340261 },
    expect: { loss_image: 'incorrect', loss_text: 'incorrect' },
    misconceptions: { loss_image: 'loss-image-summed', loss_text: 'loss-text-log10' },
  },
  {
    name: 'image loss in log base 10',
    params,
    answers: { loss_image: 0.353864, loss_text: 1.566961 },
    expect: { loss_image: 'incorrect', loss_text: 'incorrect' },
    misconceptions: { loss_image: 'loss-image-log10', loss_text: 'loss-text-summed' },
  },
  {
    // −(L₁₁ + L₂₂)/2 = −(2 + 1.2)/2 = −1.6.
    name: 'the softmax’s normaliser left out',
    params,
    answers: { loss_image: -1.6 },
    expect: { loss_image: 'incorrect' },
    misconceptions: { loss_image: 'loss-image-no-softmax' },
  },
  {
    name: 'each direction computed the other way (columns for images, rows for texts)',
    params,
    answers: { loss_image: 0.783481, loss_text: 0.814805 },
    expect: { loss_image: 'incorrect', loss_text: 'incorrect' },
    misconceptions: { loss_image: 'loss-image-over-columns', loss_text: 'loss-text-over-rows' },
  },
  { name: 'one direction only (image → text)', params, answers: { loss: 0.814805 }, expect: { loss: 'incorrect' }, misconceptions: { loss: 'loss-image-direction-only' } },
  { name: 'one direction only (text → image)', params, answers: { loss: 0.783481 }, expect: { loss: 'incorrect' }, misconceptions: { loss: 'loss-text-direction-only' } },
  {
    // 0.814805 + 0.783481 = 1.598286.
    name: 'the two directions added, not averaged',
    params,
    answers: { loss: 1.598286 },
    expect: { loss: 'incorrect' },
    misconceptions: { loss: 'loss-directions-summed' },
  },
  {
    name: 'a transposed-shape or unreadable answer is invalid',
    params,
    answers: { image_norm: [0.6, 0.8, 0.8, 0.6], loss: 'ln(' },
    expect: { image_norm: 'invalid', loss: 'invalid' },
  },
];

describe('clip-infonce golden cases', () => {
  for (const c of cases) it(c.name, () => runGolden('clip-infonce', c));

  it('solves the hand-worked example to 1e-5', () => {
    const s = solved('clip-infonce', params);
    for (const [id, v] of Object.entries(right)) expectClose(s[id], v, 1e-5, id);
  });

  it('names the field of a bad parameter', () => {
    const bad = (over: object) => () => solveProblem('clip-infonce', { ...params, ...over });
    expect(bad({ text_emb: [[6, 8, 0], [0, 2, 0]] })).toThrow(/params\.text_emb is 2×3 but must be 2×2 \(one text per image/);
    expect(bad({ text_emb: [[6, 8], [0, 2], [1, 1]] })).toThrow(/params\.text_emb is 3×2 but must be 2×2/);
    expect(bad({ image_emb: [[3, 4], [0, 0]] })).toThrow(/params\.image_emb\[1\] is all zeros/);
    expect(bad({ text_emb: [[0, 0], [0, 2]] })).toThrow(/params\.text_emb\[0\] is all zeros/);
    expect(bad({ image_emb: [[3, 4], [4, 3, 1]] })).toThrow(/params\.image_emb\[1\] has 3 entries; row 0 has 2/);
    expect(bad({ image_emb: [[3, 4]], text_emb: [[6, 8]] })).toThrow(/params\.image_emb must NOT have fewer than 2 items/);
    expect(bad({ temperature: 0 })).toThrow(/params\.temperature must be > 0/);
    expect(bad({ tau: 0.07 })).toThrow(/unknown field "tau"/);
    expect(errorOf(bad({ temperature: -1 })).code).toBe('invalid_params');
  });
});

describe('clip-infonce properties', () => {
  const batch = fc
    .record({ n: fc.integer({ min: 2, max: 5 }), d: fc.integer({ min: 1, max: 4 }) })
    .chain(({ n, d }) => {
      const row = fc.array(fc.integer({ min: -9, max: 9 }), { minLength: d, maxLength: d }).filter((r) => r.some((x) => x !== 0));
      return fc.record({
        image_emb: fc.array(row, { minLength: n, maxLength: n }),
        text_emb: fc.array(row, { minLength: n, maxLength: n }),
        temperature: fc.constantFrom(0.07, 0.1, 0.5, 1, 2),
      });
    });

  it('both directions are non-negative and the loss is their mean', () => {
    fc.assert(
      fc.property(batch, (p) => {
        const s = solved('clip-infonce', p);
        expect(s.loss_image as number).toBeGreaterThanOrEqual(0);
        expect(s.loss_text as number).toBeGreaterThanOrEqual(0);
        expectClose(s.loss, ((s.loss_image as number) + (s.loss_text as number)) / 2, 1e-12, 'loss');
      }),
    );
  });

  it('rescaling an embedding, or reordering the pairs, changes no loss', () => {
    fc.assert(
      fc.property(batch, fc.integer({ min: 2, max: 7 }), (p, k) => {
        const a = solved('clip-infonce', p);
        const scaled = solved('clip-infonce', { ...p, image_emb: p.image_emb.map((r, i) => (i === 0 ? r.map((x) => x * k) : r)) });
        const reversed = solved('clip-infonce', { ...p, image_emb: [...p.image_emb].reverse(), text_emb: [...p.text_emb].reverse() });
        for (const id of ['loss_image', 'loss_text', 'loss']) {
          expectClose(scaled[id], a[id], 1e-9, id);
          expectClose(reversed[id], a[id], 1e-9, id);
        }
      }),
    );
  });

  it('swapping images and texts swaps the two directions', () => {
    fc.assert(
      fc.property(batch, (p) => {
        const a = solved('clip-infonce', p);
        const b = solved('clip-infonce', { ...p, image_emb: p.text_emb, text_emb: p.image_emb });
        expectClose(b.loss_image, a.loss_text, 1e-9, 'loss_image');
        expectClose(b.loss_text, a.loss_image, 1e-9, 'loss_text');
      }),
    );
  });

  it('a very high temperature makes the logits ≈ 0, so each direction ≈ ln n', () => {
    fc.assert(
      fc.property(batch, (p) => {
        const s = solved('clip-infonce', { ...p, temperature: 100 });
        // |L_ij| ≤ 1/100, so each −ln softmax is within 2/100 of ln n.
        expectClose(s.loss, Math.log(p.image_emb.length), 0.02, 'loss');
      }),
    );
  });
});
