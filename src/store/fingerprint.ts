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
    // A question about model runs: its seed draws the runs and so the answer; one problem per (question, seed).
    const { seed } = checkArtefactParams(params);
    return createHash('sha256').update('artefact').update('\n').update(artefact.id).update('\n').update(String(seed)).digest('hex');
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
