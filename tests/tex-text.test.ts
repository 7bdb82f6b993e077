/** Prompts and worked solutions as terminal text: no TeX left over, matrices as aligned rows. */
import { describe, expect, it } from 'vitest';
import { inline, texToText } from '../src/cli/tex-text.js';
import { generateProblem, workedSolution } from '../src/engine.js';
import { DIFFICULTIES } from '../src/solvers/topic.js';
import { TOPICS } from '../src/topics/index.js';

describe('TeX as terminal text', () => {
  it.each([
    ['\\frac{Q K^\\top}{\\sqrt{d_k}}', '(Q Kᵀ)/√dₖ'],
    ['x_{t-1}', 'xₜ₋₁'],
    ['\\bar{\\alpha}_t = \\prod_{i=1}^{t} \\alpha_i', 'ᾱₜ = Πᵢ₌₁^t αᵢ'],
    ['\\mathcal{N}(0, I)', '𝒩(0, I)'],
    ['\\tfrac12 (\\mu^2 + \\sigma^2)', '½ (μ^2 + σ^2)'],
    ['d_{\\text{model}}', 'd_model'],
    ['\\operatorname{softmax}_{\\text{row}}(\\tilde S)', 'softmax_row(S̃)'],
    ['\\operatorname{diag}\\sigma^2', 'diag σ^2'],
    ['\\left\\lfloor \\frac{n - k}{s} \\right\\rfloor + 1', '⌊ (n - k)/s ⌋ + 1'],
    ['\\lVert x \\rVert_2 \\pm \\ell', '‖ x ‖₂ ± ℓ'],
  ])('%s → %s', (tex, text) => {
    expect(inline(tex)).toBe(text);
  });

  it('lays a matrix out as aligned, bracketed rows', () => {
    expect(texToText('$$ X = \\begin{bmatrix} 1 & -0.5 \\\\ 10 & 2 \\end{bmatrix} $$')).toBe('\n    X = ⎡  1  -0.5 ⎤\n        ⎣ 10     2 ⎦\n');
  });

  it('leaves no TeX in any topic’s prompt or worked solution', () => {
    for (const t of TOPICS) {
      for (const d of DIFFICULTIES) {
        const p = generateProblem(t.id, 5, d);
        for (const text of [p.prompt, workedSolution(t.id, p.params)]) {
          const plain = texToText(text);
          expect(plain, `${t.id} ${d}`).not.toMatch(/\\[A-Za-z]+|[{}$]/);
        }
      }
    }
  });
});
