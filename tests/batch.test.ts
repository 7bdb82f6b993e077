/** `stepwise batch`: JSON Lines in, one reply per request, in order; bad lines never stop it. */
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_LINE, runBatch } from '../src/batch/stream.js';
import { stepwise } from './cli-helpers.js';

const I = [[1, 0], [0, 1]];
const params = { X: [[1, 0], [1, 1]], W_Q: I, W_K: [[1, 1], [0, 1]], W_V: I };

async function batch(chunks: (string | Buffer)[]): Promise<{ replies: Record<string, unknown>[]; stats: { requests: number; errors: number } }> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString('utf8');
      cb();
    },
  });
  const stats = await runBatch(Readable.from(chunks), sink);
  return { replies: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), stats };
}

describe('batch', () => {
  it('answers each request in order, echoing ids, with the --json shapes', async () => {
    const lines = [
      { op: 'solve', topic: 'self-attention', params, id: 'a' },
      { op: 'grade', topic: 'self-attention', params, answers: { scores: [[1, 1], [2, 3]] }, id: 2 },
      { op: 'generate', topic: 'self-attention', seed: 9, difficulty: 'easy', id: { n: 3 } },
      { op: 'generate', topic: 'self-attention-residual', seed: 9 },
    ].map((l) => JSON.stringify(l));
    const { replies } = await batch([lines.join('\n') + '\n']);
    expect(replies).toHaveLength(4);
    expect(replies[0]).toMatchObject({ ok: true, id: 'a', topic: 'self-attention' });
    expect((replies[0].steps as { id: string }[]).map((s) => s.id)).toContain('scaled_scores');
    expect(replies[1]).toMatchObject({ ok: true, id: 2, maxScore: 8 });
    expect((replies[1].steps as { id: string; status: string }[]).find((s) => s.id === 'scores')?.status).toBe('correct');
    expect(replies[2]).toMatchObject({ ok: true, id: { n: 3 }, seed: 9, difficulty: 'easy' });
    expect(typeof replies[2].prompt).toBe('string');
    expect(replies[3]).toMatchObject({ ok: true, question: 'self-attention-residual', difficulty: 'medium' });
  });

  it('a bad line gets an error reply and the batch goes on', async () => {
    const { replies, stats } = await batch([
      '{"op":"solve","topic":"self-attention","params":' + JSON.stringify(params) + ',"id":1}\n',
      'not json\n',
      '\n',
      '{"op":"fly","id":3}\n',
      '{"op":"solve","topic":"nope","id":4}\n',
      '{"op":"solve","topic":"self-attention","params":{"X":[[1]]},"id":5}\n',
      '{"op":"generate","topic":"self-attention","seed":-1,"id":6}\n',
      '[1,2]\n',
      '{"op":"grade","topic":"self-attention","params":' + JSON.stringify(params) + ',"answers":[1],"id":8}\n',
      '{"op":"solve","topic":"self-attention","params":' + JSON.stringify(params) + ',"id":9}',
    ]);
    expect(replies.map((r) => r.ok)).toEqual([true, false, false, false, false, false, false, false, true]);
    expect(replies.map((r) => (r.error as { code?: string } | undefined)?.code)).toEqual([
      undefined,
      'invalid_json',
      'invalid_request',
      'unknown_topic',
      'invalid_params',
      'invalid_request',
      'invalid_request',
      'invalid_answers',
      undefined,
    ]);
    expect(replies[3].id).toBe(4);
    expect(stats).toEqual({ requests: 9, errors: 7 });
  });

  it('reassembles lines split across chunks, in any place, including inside a UTF-8 character', async () => {
    const line = JSON.stringify({ op: 'generate', topic: 'self-attention', seed: 1, id: 'π≈3' }) + '\n';
    const bytes = Buffer.from(line.repeat(3));
    const insidePi = bytes.indexOf(Buffer.from('π')) + 1;
    for (const cut of [1, 17, insidePi, line.length - 1, Buffer.byteLength(line), Buffer.byteLength(line) + 5]) {
      const { replies } = await batch([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(replies.map((r) => r.id)).toEqual(['π≈3', 'π≈3', 'π≈3']);
    }
  });

  it('answers an overlong line with too_large and carries on', async () => {
    const long = '{"op":"solve","pad":"' + 'x'.repeat(MAX_LINE + 10) + '"}';
    const { replies } = await batch([long.slice(0, MAX_LINE / 2), long.slice(MAX_LINE / 2) + '\n{"op":"fly","id":2}\n']);
    expect(replies.map((r) => (r.error as { code: string }).code)).toEqual(['too_large', 'invalid_request']);
    expect(replies[1].id).toBe(2);
  });

  it('runs as `stepwise batch` on stdin and stdout', () => {
    const input = [
      JSON.stringify({ op: 'generate', topic: 'self-attention', seed: 4, id: 1 }),
      'oops',
      JSON.stringify({ op: 'solve', topic: 'self-attention', params, id: 3 }),
    ].join('\n');
    const r = stepwise(['batch'], input);
    expect(r.status).toBe(0);
    const replies = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; id?: number });
    expect(replies.map((x) => [x.ok, x.id])).toEqual([[true, 1], [false, undefined], [true, 3]]);
  });
});
