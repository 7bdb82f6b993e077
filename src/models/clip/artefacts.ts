/**
 * The CLIP lab's plots, all through the shared vega-lite helpers: the batch similarity matrix under
 * its images, zero-shot examples and per-combination accuracy, retrieval recalls, and the loss and
 * temperature curves. Two helpers' specs are stacked side by side or on top of each other here.
 */
import type { Artefact } from '../lab.js';
import { heatmap, images, lines, plot } from '../plots.js';
import { COLOURS, SHAPES, toRows, type Dataset, type Pair } from './data.js';
import type { Retrieval, ZeroShot } from './evaluate.js';

type Spec = Record<string, unknown>;

/** Several helper specs as one figure; the children lose their $schema (only the top level may have one). */
function combine(how: 'hconcat' | 'vconcat', title: string, specs: Spec[]): Spec {
  return {
    $schema: specs[0].$schema,
    title,
    [how]: specs.map(({ $schema: _drop, ...rest }) => rest),
    resolve: { scale: { color: 'independent' } },
  };
}

/** A heatmap whose row labels (captions) are not cut at vega's default 180 px. */
function longRowLabels(spec: Spec): Spec {
  const layers = spec.layer as { encoding: { y: Spec } }[];
  for (const l of layers) l.encoding.y = { ...l.encoding.y, axis: { labelLimit: 400 } };
  return spec;
}

const name = (caption: string): string => caption.replace(/^a photo of an? /, '');

export interface ArtefactInput {
  /** The final temperature, as in the metrics. */
  tau: number;
  config: { imageSize: number; batchSize: number; learnTemperature: boolean; maxLogitScale: number };
  data: Dataset;
  heldTest: Pair[];
  seenTest: Pair[];
  zs: ZeroShot;
  zsSeen: ZeroShot;
  rec: { seen: Retrieval; heldOut: Retrieval };
  sim: { matrix: number[][]; captions: string[]; diagonalHits: number };
  batch: Pair[];
  losses: number[];
  temperatures: number[];
}

export async function clipArtefacts(a: ArtefactInput): Promise<Artefact[]> {
  const size = a.config.imageSize;
  const held = a.data.heldOut.map((h) => `${h.colour} ${h.shape}`).join(', ');
  const out: Artefact[] = [];

  const cols = a.batch.map((_, i) => `image ${i}`);
  out.push(
    ...(await plot(
      'similarity-matrix',
      `Cosine similarity of 8 test captions (rows) with their 8 images (columns, drawn above); the matching pairs are on the diagonal. The logits InfoNCE sees are cosine / τ (τ = ${a.tau})`,
      combine('vconcat', 'A batch of image–caption pairs', [
        images({ title: 'images 0 … 7', images: a.batch.map((p, i) => ({ title: String(i), pixels: toRows(p.pixels, size) })), pixelSize: 4 }),
        longRowLabels(heatmap({ title: `cosine similarity (caption × image); logit = cosine / τ, final τ = ${a.tau}`, matrix: a.sim.matrix, rowLabels: a.sim.captions, colLabels: cols, showValues: true })),
      ]),
    )),
  );

  out.push(
    ...(await plot(
      'zero-shot-examples',
      `Held-out images (combinations never seen in training: ${held}) titled with zero-shot CLIP's choice among the ${a.zs.candidates.length} prompts "a photo of a {colour} {shape}"`,
      images({
        title: 'Zero-shot choices on held-out pairs',
        images: a.zs.examples.map((e) => ({ title: `${e.image}: ${name(e.predicted)}`, pixels: toRows(a.heldTest[e.image].pixels, size) })),
        pixelSize: 8,
      }),
    )),
  );

  for (const [k, e] of a.zs.examples.slice(0, 4).entries()) {
    out.push(
      ...(await plot(
        `zero-shot-example-${k}`,
        `Held-out image ${e.image} and CLIP's logit cos(image, prompt) / τ for each prompt "a photo of a {colour} {shape}" (rows colour, columns shape; τ = ${a.tau})`,
        combine('hconcat', `Held-out image ${e.image}: which prompt fits best?`, [
          images({ title: `image ${e.image}`, images: [{ title: '', pixels: toRows(a.heldTest[e.image].pixels, size) }], pixelSize: 10 }),
          heatmap({ title: `logit = cos(image, "a photo of a {colour} {shape}") / τ`, matrix: e.scores, rowLabels: [...COLOURS], colLabels: [...SHAPES], showValues: true }),
        ]),
      )),
    );
  }

  // Zero-shot accuracy for every colour × shape: held-out cells from the held-out test images, the others from seen ones.
  const perCombo = COLOURS.map((c) =>
    SHAPES.map((s) => {
      const [pairs, hits] = a.data.heldOut.some((h) => h.colour === c && h.shape === s) ? [a.heldTest, a.zs.hits] : [a.seenTest, a.zsSeen.hits];
      const mine = pairs.map((p, i) => (p.scene.colour === c && p.scene.shape === s ? (hits[i] ? 1 : 0) : -1)).filter((v) => v >= 0);
      return mine.length === 0 ? 0 : Number((mine.reduce((x: number, y) => x + y, 0) / mine.length).toFixed(2));
    }),
  );
  out.push(
    ...(await plot(
      'zero-shot-accuracy',
      `Zero-shot accuracy per colour × shape on fresh test images; held out of training: ${held}; chance ${a.zs.chance}`,
      heatmap({ title: `Zero-shot accuracy (held out: ${held})`, matrix: perCombo, rowLabels: [...COLOURS], colLabels: [...SHAPES], domain: [0, 1], showValues: true }),
    )),
  );

  out.push(
    ...(await plot(
      'retrieval',
      `Retrieval recall@1 and recall@5, text → image and image → text, among ${a.rec.seen.pairs} test pairs of seen combinations and among ${a.rec.heldOut.pairs} of held-out ones (${held}), with full captions; a hit is an item with the query's caption`,
      heatmap({
        title: 'Retrieval recall',
        matrix: [a.rec.seen, a.rec.heldOut].flatMap((r) => [
          [r.textToImage.r1, r.textToImage.r5],
          [r.imageToText.r1, r.imageToText.r5],
        ]),
        rowLabels: ['seen: text → image', 'seen: image → text', 'held out: text → image', 'held out: image → text'],
        colLabels: ['recall@1', 'recall@5'],
        domain: [0, 1],
        showValues: true,
      }),
    )),
  );

  const uniform = Math.log(a.config.batchSize);
  out.push(
    ...(await plot(
      'loss',
      `Symmetric InfoNCE loss per training step; ln(batch size) = ${uniform.toFixed(2)} is the loss of a model that cannot tell the pairs apart`,
      lines({
        title: 'InfoNCE loss',
        series: [
          { name: 'loss', points: a.losses.map((y, x) => ({ x: x + 1, y })) },
          { name: 'ln(batch size)', points: [{ x: 1, y: uniform }, { x: a.losses.length, y: uniform }] },
        ],
        xTitle: 'step',
        yTitle: 'loss',
      }),
    )),
  );

  const floor = 1 / a.config.maxLogitScale;
  out.push(
    ...(await plot(
      'temperature',
      // One caption for a learned and a fixed τ: which a run has is for the student to read off the curve.
      `Temperature τ = 1 / logit scale per step (log scale); CLIP clips the logit scale at ${a.config.maxLogitScale}, so a learned τ never goes below ${floor}`,
      lines({
        title: 'Temperature τ',
        series: [
          { name: 'τ', points: a.temperatures.map((y, x) => ({ x: x + 1, y })) },
          { name: `clip floor 1/${a.config.maxLogitScale}`, points: [{ x: 1, y: floor }, { x: a.temperatures.length, y: floor }] },
        ],
        xTitle: 'step',
        yTitle: 'τ',
        logY: true,
      }),
    )),
  );
  return out;
}
