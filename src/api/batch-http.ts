/**
 * The HTTP bulk route's loop: JSON Lines in, one reply line per request, streamed out in order. It
 * holds each line to the CLI's 1 MiB limit, refuses a body with more lines than the caller may send,
 * and gives the event loop back every few milliseconds, so a large batch never keeps other
 * requests (or /healthz) waiting for more than a slice.
 */
import type { Response } from 'express';
import { StepwiseError } from '../core/errors.js';
import { parseLine, type Reply } from '../batch/requests.js';
import { MAX_LINE } from '../batch/stream.js';

/** Longest stretch of work between two turns of the event loop. */
export const SLICE_MS = 10;
const FLUSH_AT = 1 << 16;

export interface BatchLimits {
  /** Most non-blank lines this caller may send in one request. */
  maxLines: number;
}

type Answer = (req: unknown) => Reply | Promise<Reply>;

/** Hands the event loop back when the current slice has run for SLICE_MS. */
function slicer(): () => Promise<void> {
  let start = performance.now();
  return async () => {
    if (performance.now() - start < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    start = performance.now();
  };
}

/** The non-blank lines of `text`, as [start, end) offsets, found without copying the body. */
function* lineSpans(text: string): Generator<[number, number]> {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > MAX_LINE || text.slice(start, end).trim() !== '') yield [start, end];
    start = end + 1;
  }
}

export async function sendBatch(text: string, res: Response, limits: BatchLimits, answer: Answer): Promise<void> {
  const pause = slicer();
  // Count first, so an over-long batch is refused (413) before any reply line is sent.
  let count = 0;
  for (const _ of lineSpans(text)) {
    if (++count > limits.maxLines) {
      throw new StepwiseError('too_large', `a batch from this key holds at most ${limits.maxLines} lines; send the rest in further requests`);
    }
    await pause();
  }
  res.status(200).type('application/x-ndjson');
  let out = '';
  for (const [start, end] of lineSpans(text)) {
    if (res.destroyed) return; // the client went away: stop working for it
    let reply: Reply;
    if (end - start > MAX_LINE) {
      reply = { ok: false, error: { code: 'too_large', message: `the request line is longer than ${MAX_LINE} characters` } };
    } else {
      const parsed = parseLine(text.slice(start, end));
      reply = 'reply' in parsed ? parsed.reply : await answer(parsed.req);
    }
    out += JSON.stringify(reply) + '\n';
    if (out.length >= FLUSH_AT) {
      const chunk = out;
      out = '';
      if (!res.write(chunk)) await drained(res);
    }
    await pause();
  }
  res.end(out);
}

/** Resolves when `res` can take more, or is gone. */
function drained(res: Response): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
