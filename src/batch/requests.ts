/**
 * One batch request → one reply, the same shapes as the CLI's --json output. Shared by
 * `stepwise batch` and the HTTP bulk endpoint. Never throws: every failure is a reply. A question
 * about model runs is answered from the run cache or not at all (./artefacts.ts): no line trains.
 */
import { asStepwiseError, StepwiseError } from '../core/errors.js';
import { assertJsonDepth } from '../core/json-depth.js';
import { generateProblem, gradeAnswers, solveProblem } from '../engine.js';
import { batchNotReady, loadCachedArtefactAnswer } from './artefacts.js';

export type Reply =
  | ({ ok: true; id?: unknown } & Record<string, unknown>)
  | { ok: false; id?: unknown; error: { code: string; message: string; path?: string } };

const OPS = ['solve', 'grade', 'generate'] as const;

export function handleRequest(req: unknown): Reply {
  const id = typeof req === 'object' && req !== null && !Array.isArray(req) ? (req as { id?: unknown }).id : undefined;
  try {
    const body = dispatch(req) as Record<string, unknown> & { ok: true; id?: unknown };
    // `ok` and `id` lead the reply; the body object is reused rather than copied.
    return id === undefined ? Object.assign({ ok: true as const }, body) : Object.assign({ ok: true as const, id }, body);
  } catch (e) {
    const err = asStepwiseError(e).toJSON();
    return id === undefined ? { ok: false, error: err } : { ok: false, id, error: err };
  }
}

/** A line of text → reply; malformed JSON is a reply too. */
export function handleLine(line: string): Reply {
  const parsed = parseLine(line);
  return 'reply' in parsed ? parsed.reply : handleRequest(parsed.req);
}

/**
 * A line of text → the request it holds, or the error reply: malformed JSON, or JSON nested deeper
 * than MAX_JSON_DEPTH (a reply echoes `id`, and echoing a 100,000-deep id would overflow the stack).
 */
export function parseLine(line: string): { req: unknown } | { reply: Reply } {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch (e) {
    return { reply: { ok: false, error: { code: 'invalid_json', message: `the line is not valid JSON: ${(e as Error).message}` } } };
  }
  try {
    assertJsonDepth(req, 'request');
  } catch (e) {
    return { reply: { ok: false, error: asStepwiseError(e).toJSON() } };
  }
  return { req };
}

/** The topic or question a request names: a question id may stand in for the topic, in `topic` or in `question`. */
export const requestRef = (r: Record<string, unknown>): unknown => r.question ?? r.topic;

function dispatch(req: unknown): Record<string, unknown> {
  if (typeof req !== 'object' || req === null || Array.isArray(req)) {
    throw new StepwiseError('invalid_request', 'a request must be a JSON object with an "op"');
  }
  const r = req as Record<string, unknown>;
  const ref = requestRef(r);
  switch (r.op) {
    case 'solve': {
      loadCachedArtefactAnswer(r.topic, r.params);
      try {
        const s = solveProblem(r.topic, r.params);
        return { topic: s.topic, steps: s.steps };
      } catch (e) {
        throw batchNotReady(e, r.topic, r.params);
      }
    }
    case 'grade':
      loadCachedArtefactAnswer(ref, r.params);
      try {
        return gradeAnswers(ref, r.params, r.answers) as unknown as Record<string, unknown>;
      } catch (e) {
        throw batchNotReady(e, ref, r.params);
      }
    case 'generate':
      return generateProblem(ref, r.seed, r.difficulty) as unknown as Record<string, unknown>;
    default:
      throw new StepwiseError('invalid_request', `op must be one of ${OPS.join(', ')}, got ${JSON.stringify(r.op)}`, 'op');
  }
}
