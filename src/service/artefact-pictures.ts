/**
 * What an export or a printed exam needs of a question about model runs, read from its stored job:
 * the run letters, the runs' answer and the student's pictures (PNG bytes). Only what a student may
 * see goes in besides the answer: letters and neutral captions ("Run A: …"), never run names,
 * cache paths or metrics. A variant whose runs are not computed yet makes the whole export or print
 * fail with `not_ready` naming the item, so nobody gets half an exam.
 */
import { StepwiseError } from '../core/errors.js';
import { rememberArtefactAnswer } from '../engine.js';
import type { Store, Variant } from '../store/types.js';
import { artefactJobOf, storedView } from './artefact-answers.js';

export interface ArtefactPicture {
  /** A neutral file name, unique within the item: "plot-1.png". */
  name: string;
  caption: string;
  png: Buffer;
  width: number;
  height: number;
}

export interface ArtefactMaterial {
  letters: string[];
  expected: number | string;
  pictures: ArtefactPicture[];
}

/** Artefact material by variant id. */
export type ArtefactMaterials = ReadonlyMap<string, ArtefactMaterial>;

/** How an item is named in errors: "item 2, version 1 (Which run ends lower?)". */
export const variantWhere = (v: Pick<Variant, 'id' | 'examItem' | 'examVersion'>): string =>
  v.examItem !== undefined && v.examVersion !== undefined ? `item ${v.examItem + 1} of version ${v.examVersion} (variant ${v.id})` : `variant ${v.id}`;

/**
 * The material of every artefact variant among these (others are skipped). Throws `not_ready`
 * naming the first item whose runs are not computed yet.
 */
export async function artefactMaterials(store: Store, variants: readonly Variant[]): Promise<ArtefactMaterials> {
  const out = new Map<string, ArtefactMaterial>();
  for (const v of variants) {
    const job = artefactJobOf(v);
    if (!job) continue;
    const view = storedView(await store.models.get(job.questionId, job.seed));
    if (!view) {
      throw new StepwiseError(
        'not_ready',
        `${variantWhere(v)}: the model runs of question ${job.questionId} (seed ${job.seed}) are not computed yet; try again once a model worker has run them`,
        'variants',
      );
    }
    rememberArtefactAnswer(job.questionId, job.seed, view.expected);
    const pictures: ArtefactPicture[] = [];
    for (const [k, img] of view.images.entries()) {
      const png = await store.models.file(img.hash);
      if (!png) throw new StepwiseError('internal', `${variantWhere(v)}: picture ${k + 1} of its computed runs is missing from the store`);
      pictures.push({ name: `plot-${k + 1}.png`, caption: img.caption, png, width: img.width, height: img.height });
    }
    out.set(v.id, { letters: view.letters, expected: view.expected, pictures });
  }
  return out;
}
