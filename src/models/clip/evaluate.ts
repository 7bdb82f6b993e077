/**
 * What the trained dual encoder is asked: zero-shot classification of images against the prompts
 * "a photo of a {colour} {shape}", retrieval recall@k in both directions, and the cosine-similarity
 * matrix of a small batch. Everything comes back as plain numbers for metrics and plots.
 */
import { COLOURS, SHAPES, allCombos, bagOfWords, prompt, type Pair } from './data.js';
import { cosine, encodeImages, encodeTexts, imageInput, stack, type ClipModel } from './model.js';
import { readArray } from '../read.js';
import type { Tf } from '../runtime.js';

/** Cosine similarities, images (rows) × captions (columns), as nested arrays. */
export function similarities(tf: Tf, m: ClipModel, pixels: Float32Array[], captions: string[]): Promise<number[][]> {
  return readArray<number[][]>(tf, () => {
    const img = encodeImages(tf, m, imageInput(tf, m, pixels));
    const txt = encodeTexts(tf, m, stack(tf, captions.map(bagOfWords), bagOfWords(captions[0]).length));
    return cosine(tf, img, txt);
  });
}

function argmax(row: number[]): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

export interface ZeroShotExample {
  /** Index of the image in the held-out test images. */
  image: number;
  trueCaption: string;
  predicted: string;
  correct: boolean;
  /** The logit cos / τ of each prompt, [colour][shape], 2 decimals (as the example's heatmap shows them). */
  scores: number[][];
}

export interface ZeroShot {
  accuracy: number;
  /** 1 / the number of candidate prompts. */
  chance: number;
  candidates: string[];
  /** How often the colour word, and the shape word, of the chosen prompt is right. */
  colourAccuracy: number;
  shapeAccuracy: number;
  examples: ZeroShotExample[];
  /** Whether each image got its own prompt (for per-combination plots; not a metric). */
  hits: boolean[];
}

/**
 * Each image gets the prompt it is most similar to, out of every shape–colour prompt (held-out ones
 * included). The examples are the first images whose best two logits differ by at least 0.05 as
 * shown (2 decimals), so that a reader of the heatmap can tell which prompt wins.
 */
export async function zeroShot(tf: Tf, m: ClipModel, pairs: Pair[], examples: number, tau: number): Promise<ZeroShot> {
  const combos = allCombos();
  const candidates = combos.map((c) => prompt(c.colour, c.shape));
  const sims = await similarities(tf, m, pairs.map((p) => p.pixels), candidates);
  let colour = 0;
  let shape = 0;
  const picks = sims.map((row, i) => {
    const k = argmax(row);
    if (combos[k].colour === pairs[i].scene.colour) colour++;
    if (combos[k].shape === pairs[i].scene.shape) shape++;
    return k;
  });
  const hits = picks.map((k, i) => combos[k].colour === pairs[i].scene.colour && combos[k].shape === pairs[i].scene.shape);
  const right = hits.filter(Boolean).length;
  const n = pairs.length;
  return {
    accuracy: round(right / n, 4),
    chance: round(1 / candidates.length, 4),
    candidates,
    colourAccuracy: round(colour / n, 4),
    shapeAccuracy: round(shape / n, 4),
    examples: clearExamples(sims, tau, examples).map((i) => ({
      image: i,
      trueCaption: prompt(pairs[i].scene.colour, pairs[i].scene.shape),
      predicted: candidates[picks[i]],
      correct: hits[i],
      scores: COLOURS.map((c) => SHAPES.map((s) => round(sims[i][combos.findIndex((x) => x.colour === c && x.shape === s)] / tau, 2))),
    })),
    hits,
  };
}

/** Image indices, clear winners first (in order), then the others if too few are clear (e.g. τ = 1 packs the logits close). */
function clearExamples(sims: number[][], tau: number, count: number): number[] {
  const clear = sims.map((row) => {
    const [first, second] = row.map((v) => round(v / tau, 2)).sort((x, y) => y - x);
    return first - second >= 0.05;
  });
  const order = sims.map((_, i) => i);
  return [...order.filter((i) => clear[i]), ...order.filter((i) => !clear[i])].slice(0, count);
}

export interface Recall {
  r1: number;
  r5: number;
}

export interface Retrieval {
  pairs: number;
  textToImage: Recall;
  imageToText: Recall;
}

/**
 * Recall@1 and @5 of text → image and image → text over N pairs with full captions. A retrieved
 * item counts as right when its caption is the query's caption: two images the grammar describes
 * the same way cannot be told apart by any text.
 */
export async function retrieval(tf: Tf, m: ClipModel, pairs: Pair[]): Promise<Retrieval> {
  const sims = await similarities(tf, m, pairs.map((p) => p.pixels), pairs.map((p) => p.caption));
  const caps = pairs.map((p) => p.caption);
  const n = pairs.length;
  const recall = (scoresOf: (q: number) => number[]): Recall => {
    let r1 = 0;
    let r5 = 0;
    for (let q = 0; q < n; q++) {
      const s = scoresOf(q);
      const order = s.map((_, j) => j).sort((a, b) => s[b] - s[a] || a - b);
      const rank = order.findIndex((j) => caps[j] === caps[q]);
      if (rank < 1) r1++;
      if (rank < 5) r5++;
    }
    return { r1: round(r1 / n, 4), r5: round(r5 / n, 4) };
  };
  return {
    pairs: n,
    textToImage: recall((q) => sims.map((row) => row[q])),
    imageToText: recall((q) => sims[q]),
  };
}

/** The similarity matrix of a small batch, and how many captions score highest on their own image. */
export async function batchMatrix(tf: Tf, m: ClipModel, pairs: Pair[], tau: number): Promise<{ matrix: number[][]; captions: string[]; diagonalHits: number; diagonalLogits: number[] }> {
  const sims = await similarities(tf, m, pairs.map((p) => p.pixels), pairs.map((p) => p.caption));
  // Rows are captions here (the text asks which image), so transpose images × texts.
  const matrix = pairs.map((_, t) => pairs.map((__, i) => round(sims[i][t], 2)));
  // Counted on the rounded values the heatmap shows, and only when the diagonal is strictly highest.
  const diagonalHits = matrix.filter((row, t) => row.every((v, j) => j === t || v < row[t])).length;
  // The logits CLIP's softmax sees for the matching pairs: cosine / τ, from the values shown.
  const diagonalLogits = matrix.map((row, t) => round(row[t] / tau, 1));
  return { matrix, captions: pairs.map((p) => p.caption), diagonalHits, diagonalLogits };
}

export function round(x: number, places: number): number {
  return Number(x.toFixed(places));
}
