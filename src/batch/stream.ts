/**
 * JSON Lines in, JSON Lines out, in order: one reply line per non-blank request line. A bad line
 * gets an error reply and the batch goes on. Output is written in large chunks (one write per
 * ~64 KiB, honouring back-pressure), which is much of what makes 10,000 requests fast.
 */
import type { Readable, Writable } from 'node:stream';
import { handleLine, type Reply } from './requests.js';

/** Longest request line accepted, in characters. */
export const MAX_LINE = 1 << 20;
const FLUSH_AT = 1 << 16;

export interface BatchStats {
  requests: number;
  errors: number;
}

export async function runBatch(input: Readable, output: Writable): Promise<BatchStats> {
  const stats: BatchStats = { requests: 0, errors: 0 };
  let pending = '';
  let discarding = false; // inside an overlong line already answered
  let out = '';

  const answer = (reply: Reply): void => {
    stats.requests++;
    if (!reply.ok) stats.errors++;
    out += JSON.stringify(reply) + '\n';
  };
  const line = (text: string): void => {
    if (text.trim() !== '') answer(handleLine(text));
  };
  const tooLong = (): void =>
    answer({ ok: false, error: { code: 'too_large', message: `the request line is longer than ${MAX_LINE} characters` } });

  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    let text = pending + chunk;
    let start = 0;
    if (discarding) {
      const nl = text.indexOf('\n');
      if (nl < 0) {
        pending = '';
        continue;
      }
      discarding = false;
      start = nl + 1;
    }
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      if (nl - start > MAX_LINE) tooLong();
      else line(text.slice(start, nl));
      start = nl + 1;
    }
    text = text.slice(start);
    if (text.length > MAX_LINE) {
      tooLong();
      discarding = true;
      text = '';
    }
    pending = text;
    if (out.length >= FLUSH_AT) {
      const chunkOut = out;
      out = '';
      if (!output.write(chunkOut)) await new Promise<void>((resolve) => output.once('drain', resolve));
    }
  }
  if (!discarding) line(pending);
  if (out !== '') await new Promise<void>((resolve) => output.write(out, () => resolve()));
  return stats;
}
