/**
 * A problem's fingerprint: SHA-256 of its topic and its *normalised* params (validated, defaults
 * left out, keys sorted) as canonical JSON. Every spelling of one problem — keys reordered, defaults
 * written out, a question id in place of its topic — has one fingerprint, so a student cannot get
 * an unreleased exam item graded by writing its params differently.
 */
import { createHash } from 'node:crypto';
import { StepwiseError } from '../core/errors.js';
import { normalizeParams } from '../solvers/params.js';
import { findTopic } from '../topics/index.js';
import { checkConceptParams } from '../bank/concept-present.js';
import { findConcept } from '../bank/concept-topic.js';
import { checkArtefactParams, findArtefact } from '../bank/artefact-item.js';
import { runSeedsFor } from '../models/questions.js';

/**
 * The canonical form's version. Stored fingerprints record the form they were made under; those
 * made under another are recomputed from the frozen params when the store opens.
 */
export const FINGERPRINT_FORM = 2;

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v); // one spelling per number: 1, 1.0 and 1e0 are all "1"
}

/** Throws the topic's own invalid_params error for params the solver would refuse. */
export function problemFingerprint(topicId: string, params: unknown): string {
  const concept = findConcept(topicId);
  if (concept) {
    // A conceptual item's text and answer are the same in every order it is shown in: while it is
    // in an unreleased exam, every presentation of it is that exam's item (no practising it).
    checkConceptParams(concept, params);
    return createHash('sha256').update('concept').update('\n').update(concept.id).digest('hex');
  }
  const topic = findTopic(topicId);
  const artefact = topic ? undefined : findArtefact(topicId);
  if (artefact) {
    // Its pictures and answer come from its runs: every seed that draws the same run seeds shows
    // the same runs (under other letters), so while it is an unreleased exam's item, those are.
    const { seed } = checkArtefactParams(params);
    return createHash('sha256').update('artefact').update('\n').update(artefact.id).update('\n').update(canonical(runSeedsFor(artefact, seed))).digest('hex');
  }
  if (!topic) throw new StepwiseError('unknown_topic', `unknown topic ${JSON.stringify(topicId)}`, 'topic');
  return createHash('sha256').update(topic.id).update('\n').update(canonical(normalizeParams(topic, params))).digest('hex');
}

/** The fingerprint, or undefined for params no solver accepts (they cannot be an exam item's). */
export function fingerprintOrUndefined(topicId: string, params: unknown): string | undefined {
  try {
    return problemFingerprint(topicId, params);
  } catch (e) {
    if (e instanceof StepwiseError) return undefined;
    throw e;
  }
}

/**
 * Fingerprints by the params object they were made from (both stores' inUnreleasedExam): a
 * submission asks about one variant's params up to three times (may the student see it, may they
 * see its solution), each a normalise-write-hash of the whole problem. Params are never changed
 * once made (variants are frozen), and a WeakMap holds nothing its objects do not.
 */
const byParams = new WeakMap<object, { topic: string; fp: string | undefined }>();

export function cachedFingerprint(topic: string, params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null) return fingerprintOrUndefined(topic, params);
  const hit = byParams.get(params);
  if (hit !== undefined && hit.topic === topic) return hit.fp;
  const fp = fingerprintOrUndefined(topic, params);
  byParams.set(params, { topic, fp });
  return fp;
}
