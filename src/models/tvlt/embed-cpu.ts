/**
 * The token embeddings around the transformer blocks, forward and backward over Float32Arrays for
 * the CPU backends' fused ops (cpu-ops.ts), computing what model.ts's tensor ops compute:
 *
 * - the position table [nv + na, d]: video patch (t, s) gets time[t] + vSpace[s] + modality[0],
 *   audio patch (t, u, f) gets time[t] + aSub[u] + aFreq[f] + modality[1] (model.ts's positionTable);
 * - the encoder's tokens per clip [CLS, video·Wv + bv, audio·Wa + ba] plus the table, all rows or
 *   only the kept ones (embed, then gatherRows);
 * - the decoder's input: the encoder's output through decEmbed, a mask token at every masked
 *   position, back in the original order, plus the decoder's table ([CLS] gets no position).
 */
import { alloc } from './arena.js';
import { addBias, columnSum, type Kernels } from './cpu-math.js';

/** Position parameters in model.ts's order: modality [2, d], time [frames, d], vSpace, aSub, aFreq. */
export interface PositionValues {
  modality: Float32Array;
  time: Float32Array;
  vSpace: Float32Array;
  aSub: Float32Array;
  aFreq: Float32Array;
}

export const POSITION_KEYS = ['modality', 'time', 'vSpace', 'aSub', 'aFreq'] as const;

/** Row counts of each position parameter, and the width. */
interface PosDims {
  d: number;
  frames: number;
  perFrame: number;
  sub: number;
  freq: number;
}

const posDims = (p: PositionValues): PosDims => {
  const d = p.modality.length / 2;
  return { d, frames: p.time.length / d, perFrame: p.vSpace.length / d, sub: p.aSub.length / d, freq: p.aFreq.length / d };
};

/** Visits every patch's position row: fn(row, time row, place row offset in `place`, which modality). */
function eachPatch(q: PosDims, fn: (row: number, t: number, v: number, u: number, f: number) => void): void {
  let row = 0;
  for (let t = 0; t < q.frames; t++) for (let s = 0; s < q.perFrame; s++) fn(row++, t, s, -1, -1);
  for (let t = 0; t < q.frames; t++) for (let u = 0; u < q.sub; u++) for (let f = 0; f < q.freq; f++) fn(row++, t, -1, u, f);
}

export function positionTable(p: PositionValues): Float32Array {
  const q = posDims(p);
  const { d } = q;
  const out = alloc((q.frames * q.perFrame + q.frames * q.sub * q.freq) * d);
  eachPatch(q, (row, t, s, u, f) => {
    const o = row * d;
    for (let j = 0; j < d; j++) {
      out[o + j] =
        s >= 0
          ? p.time[t * d + j] + p.vSpace[s * d + j] + p.modality[j]
          : p.time[t * d + j] + p.aSub[u * d + j] + p.aFreq[f * d + j] + p.modality[d + j];
    }
  });
  return out;
}

/** Each position parameter's gradient from the table's. */
export function positionTableBackward(p: PositionValues, dT: Float32Array): PositionValues {
  const q = posDims(p);
  const { d } = q;
  const g = {
    modality: new Float64Array(p.modality.length),
    time: new Float64Array(p.time.length),
    vSpace: new Float64Array(p.vSpace.length),
    aSub: new Float64Array(p.aSub.length),
    aFreq: new Float64Array(p.aFreq.length),
  };
  eachPatch(q, (row, t, s, u, f) => {
    const o = row * d;
    for (let j = 0; j < d; j++) {
      const e = dT[o + j];
      g.time[t * d + j] += e;
      if (s >= 0) {
        g.vSpace[s * d + j] += e;
        g.modality[j] += e;
      } else {
        g.aSub[u * d + j] += e;
        g.aFreq[f * d + j] += e;
        g.modality[d + j] += e;
      }
    }
  });
  return {
    modality: Float32Array.from(g.modality),
    time: Float32Array.from(g.time),
    vSpace: Float32Array.from(g.vSpace),
    aSub: Float32Array.from(g.aSub),
    aFreq: Float32Array.from(g.aFreq),
  };
}

/** The encoder's embedding parameters. */
export interface EmbedValues {
  wv: Float32Array; // [pv, d]
  bv: Float32Array;
  wa: Float32Array; // [pa, d]
  ba: Float32Array;
  cls: Float32Array; // [d]
  pos: PositionValues;
}

/** The clips' patches (data, never differentiated): video [batch, nv, pv], audio [batch, na, pa]. */
export interface Patches {
  video: Float32Array;
  audio: Float32Array;
  batch: number;
  nv: number;
  na: number;
}

/** Row `rows[i]` of the [batch·seq, d] token matrix goes to output row i; all rows in order when rows is undefined. */
export function embedForward(p: EmbedValues, x: Patches, { mm }: Kernels, rows?: Int32Array): Float32Array {
  const d = p.bv.length;
  const { batch, nv, na } = x;
  const seq = 1 + nv + na;
  const pv = p.wv.length / d;
  const pa = p.wa.length / d;
  const v = addBias(mm(x.video, p.wv, 1, batch * nv, pv, d), p.bv);
  const a = addBias(mm(x.audio, p.wa, 1, batch * na, pa, d), p.ba);
  const table = positionTable(p.pos);
  const count = rows ? rows.length : batch * seq;
  const out = alloc(count * d);
  for (let i = 0; i < count; i++) {
    const r = rows ? rows[i] : i;
    const b = Math.floor(r / seq);
    const tok = r - b * seq;
    const o = i * d;
    if (tok === 0) out.set(p.cls, o);
    else {
      const src = tok <= nv ? v : a;
      const so = tok <= nv ? (b * nv + tok - 1) * d : (b * na + tok - 1 - nv) * d;
      const to = (tok - 1) * d;
      for (let j = 0; j < d; j++) out[o + j] = src[so + j] + table[to + j];
    }
  }
  return out;
}

export interface EmbedGrads {
  wv: Float32Array;
  bv: Float32Array;
  wa: Float32Array;
  ba: Float32Array;
  cls: Float32Array;
  pos: PositionValues;
}

export function embedBackward(p: EmbedValues, x: Patches, dOut: Float32Array, { mmAT }: Kernels, rows?: Int32Array): EmbedGrads {
  const d = p.bv.length;
  const { batch, nv, na } = x;
  const seq = 1 + nv + na;
  const pv = p.wv.length / d;
  const pa = p.wa.length / d;
  const dv = alloc(batch * nv * d);
  const da = alloc(batch * na * d);
  const dT = alloc((nv + na) * d);
  const dCls = new Float64Array(d);
  const count = rows ? rows.length : batch * seq;
  for (let i = 0; i < count; i++) {
    const r = rows ? rows[i] : i;
    const b = Math.floor(r / seq);
    const tok = r - b * seq;
    const o = i * d;
    if (tok === 0) for (let j = 0; j < d; j++) dCls[j] += dOut[o + j];
    else {
      const dst = tok <= nv ? dv : da;
      const so = tok <= nv ? (b * nv + tok - 1) * d : (b * na + tok - 1 - nv) * d;
      const to = (tok - 1) * d;
      for (let j = 0; j < d; j++) {
        dst[so + j] = dOut[o + j];
        dT[to + j] += dOut[o + j];
      }
    }
  }
  return {
    wv: mmAT(x.video, dv, 1, pv, batch * nv, d),
    bv: columnSum(dv, batch * nv, d),
    wa: mmAT(x.audio, da, 1, pa, batch * na, d),
    ba: columnSum(da, batch * na, d),
    cls: Float32Array.from(dCls),
    pos: positionTableBackward(p.pos, dT),
  };
}

/** The decoder's input parameters: decEmbed [d, dd] and its bias, the mask token [dd], the decoder's positions. */
export interface DecoderInValues {
  w: Float32Array;
  b: Float32Array;
  maskToken: Float32Array;
  pos: PositionValues;
}

/** Where each token of the [batch·seq] sequence comes from: row restore[r] of [kept rows of the encoder…, masked…] per clip. */
export interface Restore {
  batch: number;
  seq: number;
  kept: number;
  /** mask.ts's restoreRows. */
  rows: Int32Array;
}

/**
 * enc [batch·kept, d] → [batch·seq, dd]: each clip's kept tokens through decEmbed, mask tokens for
 * the rest, gathered back into the original order, plus the decoder's positions (none for [CLS]).
 */
export function decoderInForward(p: DecoderInValues, enc: Float32Array, r: Restore, { mm }: Kernels): Float32Array {
  const dd = p.b.length;
  const d = p.w.length / dd;
  const e = addBias(mm(enc, p.w, 1, r.batch * r.kept, d, dd), p.b);
  const table = positionTable(p.pos);
  const out = alloc(r.batch * r.seq * dd);
  for (let t = 0; t < r.batch * r.seq; t++) {
    const src = r.rows[t];
    const b = Math.floor(src / r.seq);
    const j = src - b * r.seq;
    const o = t * dd;
    if (j < r.kept) out.set(e.subarray((b * r.kept + j) * dd, (b * r.kept + j + 1) * dd), o);
    else out.set(p.maskToken, o);
    const tok = t % r.seq;
    if (tok > 0) for (let c = 0; c < dd; c++) out[o + c] += table[(tok - 1) * dd + c];
  }
  return out;
}

export function decoderInBackward(p: DecoderInValues, enc: Float32Array, r: Restore, dOut: Float32Array, { mmAT, mmBT }: Kernels): { dEnc: Float32Array; w: Float32Array; b: Float32Array; maskToken: Float32Array; pos: PositionValues } {
  const dd = p.b.length;
  const d = p.w.length / dd;
  const de = alloc(r.batch * r.kept * dd);
  const dMask = new Float64Array(dd);
  const dT = alloc((r.seq - 1) * dd);
  for (let t = 0; t < r.batch * r.seq; t++) {
    const src = r.rows[t];
    const b = Math.floor(src / r.seq);
    const j = src - b * r.seq;
    const o = t * dd;
    if (j < r.kept) de.set(dOut.subarray(o, o + dd), (b * r.kept + j) * dd);
    else for (let c = 0; c < dd; c++) dMask[c] += dOut[o + c];
    const tok = t % r.seq;
    if (tok > 0) for (let c = 0; c < dd; c++) dT[(tok - 1) * dd + c] += dOut[o + c];
  }
  const rows = r.batch * r.kept;
  return {
    dEnc: mmBT(de, p.w, 1, rows, dd, d),
    w: mmAT(enc, de, 1, d, rows, dd),
    b: columnSum(de, rows, dd),
    maskToken: Float32Array.from(dMask),
    pos: positionTableBackward(p.pos, dT),
  };
}
