/**
 * Wasm kernels written in WebAssembly with SIMD, run straight on the backend's heap (the module
 * imports the backend's own WebAssembly.Memory), each computing exactly the float32 operations, in
 * the same order, of the kernel it replaces — so the same bits (tests/models/kernels.test.ts).
 *
 * BatchMatMul for tfjs-backend-wasm's batched products (TVLT's attention: [batch·heads, n, n]
 * times [batch·heads, n, d] and the like, a third of its training step). The wasm backend sends a
 * product to XNNPACK only when it is a single matrix pair; a batch goes to its `slow_batch_matmul`,
 * a scalar C++ loop. That loop sums each output's products in float32 from k = 0 upwards, starting
 * from 0, in blocks of 48 along k; with k ≤ 48 (one block) the sum is the plain sequential one,
 * which is what this kernel computes, four outputs at a time (f32x4 mul, then add). Transposed
 * operands, broadcast batches, k > 48, single pairs (XNNPACK) and any engine without SIMD go to
 * the original kernel.
 *
 * A column Sum (over the leading axes: every bias gradient), which the wasm Sum does as a transpose
 * and then, for each output, a float32 sum from 0 over the summed values in order; here four columns
 * at a time, row after row: the same additions in the same order.
 *
 * Transpose (attention's head split and merge, every explicit transpose of a gradient, CLIP's
 * patches): a copy, so the same values whatever the loop; four nested loops over the output,
 * reading the input through its strides.
 */
import type { Tf } from './runtime.js';

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: { asm?: { memory?: object } };
}
/** The part of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
type KernelFunc = (args: { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown>; backend: WasmBackend }) => TensorInfo | TensorInfo[];

/** The longest shared dimension summed in one block by the C++ loop (its kBlockSize). */
export const ONE_BLOCK = 48;

/** Unsigned LEB128. */
const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const name = (s: string): number[] => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// Opcodes used below.
const [GET, SET] = [0x20, 0x21];
const [I32CONST, ADD, SUB, MUL, GE_S] = [0x41, 0x6a, 0x6b, 0x6c, 0x4e];
const [BLOCK, LOOP, BR, BR_IF, END, VOID] = [0x02, 0x03, 0x0c, 0x0d, 0x0b, 0x40];
const F32LOAD = [0x2a, 2, 0];
const F32STORE = [0x38, 2, 0];
const [F32ADD, F32MUL] = [0x92, 0x94];
const V128LOAD = [0xfd, 0x00, 0, 0];
const V128STORE = [0xfd, 0x0b, 0, 0];
const V128ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const F32X4SPLAT = [0xfd, 0x13];
const F32X4ADD = [0xfd, 0xe4, 0x01];
const F32X4MUL = [0xfd, 0xe6, 0x01];
const F32ZERO = [0x43, 0, 0, 0, 0];

// Parameters: a, b, o (byte offsets), batch, M, K, N. Locals: n, i, j, k, pa, pb, aRow, rowBytes (N·4), acc (v128), s (f32).
const [A, B, O, BATCH, M, K, N] = [0, 1, 2, 3, 4, 5, 6];
const [n, i, j, k, pa, pb, aRow, NB, ACC, S] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

/** while (cond) body: block { loop { if !(cond) break; body; continue } }, with cond given as "x >= limit" to break on. */
const whileLess = (x: number, limit: number[], body: number[]): number[] => [BLOCK, VOID, LOOP, VOID, GET, x, ...limit, GE_S, BR_IF, 1, ...body, BR, 0, END, END];
const inc = (x: number, by: number[]): number[] => [GET, x, ...by, ADD, SET, x];
// i32.const takes a signed LEB128, which equals the unsigned one for the small constants (< 64) used here.
const c = (v: number): number[] => [I32CONST, ...leb(v)];

/** The k loop shared by both widths: pa walks A's row, pb B's column(s); `step` accumulates one k. */
const kLoop = (step: number[]): number[] => [
  ...c(0), SET, k,
  GET, aRow, SET, pa,
  // pb = b + j·4
  GET, B, GET, j, ...c(4), MUL, ADD, SET, pb,
  ...whileLess(k, [GET, K], [...step, ...inc(pa, c(4)), ...inc(pb, [GET, NB]), ...inc(k, c(1))]),
];
/** Byte offset of O[i, j]: o + (i·N + j)·4. */
const outAt = [GET, O, GET, i, GET, N, MUL, GET, j, ADD, ...c(4), MUL, ADD];

const body: number[] = [
  GET, N, ...c(4), MUL, SET, NB,
  ...c(0), SET, n,
  ...whileLess(n, [GET, BATCH], [
    ...c(0), SET, i,
    ...whileLess(i, [GET, M], [
      // aRow = a + i·K·4
      GET, A, GET, i, GET, K, MUL, ...c(4), MUL, ADD, SET, aRow,
      ...c(0), SET, j,
      // Four outputs at a time while j + 4 ≤ N: acc = acc + splat(A[i,k]) · B[k, j..j+3].
      ...whileLess(j, [GET, N, ...c(3), SUB], [
        ...V128ZERO, SET, ACC,
        ...kLoop([GET, ACC, GET, pa, ...F32LOAD, ...F32X4SPLAT, GET, pb, ...V128LOAD, ...F32X4MUL, ...F32X4ADD, SET, ACC]),
        ...outAt, GET, ACC, ...V128STORE,
        ...inc(j, c(4)),
      ]),
      // The rest one at a time: s = s + A[i,k] · B[k,j].
      ...whileLess(j, [GET, N], [
        ...F32ZERO, SET, S,
        ...kLoop([GET, S, GET, pa, ...F32LOAD, GET, pb, ...F32LOAD, F32MUL, F32ADD, SET, S]),
        ...outAt, GET, S, ...F32STORE,
        ...inc(j, c(1)),
      ]),
      ...inc(i, c(1)),
    ]),
    // Next matrices of the batch.
    GET, A, GET, M, GET, K, MUL, ...c(4), MUL, ADD, SET, A,
    GET, B, GET, K, GET, N, MUL, ...c(4), MUL, ADD, SET, B,
    GET, O, GET, M, GET, N, MUL, ...c(4), MUL, ADD, SET, O,
    ...inc(n, c(1)),
  ]),
  END,
];

const I32 = 0x7f;
const bmmCode = [3, 8, I32, 1, 0x7b /* v128 */, 1, 0x7d /* f32 */, ...body];

// colsum(x, o, rows, cols): o[c] = x[0, c] + x[1, c] + … from 0. Locals: c, r, p, stride (cols·4), acc, s.
const [X, OUT, ROWS, COLS] = [0, 1, 2, 3];
const [col, row, p, STRIDE, CACC, CS] = [4, 5, 6, 7, 8, 9];
const rowLoop = (step: number[]): number[] => [
  ...c(0), SET, row,
  GET, X, GET, col, ...c(4), MUL, ADD, SET, p,
  ...whileLess(row, [GET, ROWS], [...step, ...inc(p, [GET, STRIDE]), ...inc(row, c(1))]),
];
const colOut = [GET, OUT, GET, col, ...c(4), MUL, ADD];
const colsumCode = [
  3, 4, I32, 1, 0x7b, 1, 0x7d,
  GET, COLS, ...c(4), MUL, SET, STRIDE,
  ...c(0), SET, col,
  ...whileLess(col, [GET, COLS, ...c(3), SUB], [
    ...V128ZERO, SET, CACC,
    ...rowLoop([GET, CACC, GET, p, ...V128LOAD, ...F32X4ADD, SET, CACC]),
    ...colOut, GET, CACC, ...V128STORE,
    ...inc(col, c(4)),
  ]),
  ...whileLess(col, [GET, COLS], [
    ...F32ZERO, SET, CS,
    ...rowLoop([GET, CS, GET, p, ...F32LOAD, F32ADD, SET, CS]),
    ...colOut, GET, CS, ...F32STORE,
    ...inc(col, c(1)),
  ]),
  END,
];

// transpose(x, o, d0, d1, d2, d3, s0, s1, s2, s3): o walks the output [d0, d1, d2, d3] in order, reading x at
// Σ index·s (s: the input stride, in elements, of the axis each output axis comes from). A copy of 4-byte values.
const [TX, TO, D0, D1, D2, D3, S0, S1, S2, S3] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [ta, tb, tc, te, tp, S3B] = [10, 11, 12, 13, 14, 15];
const I32LOAD = [0x28, 2, 0];
const I32STORE = [0x36, 2, 0];
const transposeCode = [
  1, 6, 0x7f,
  GET, S3, ...c(4), MUL, SET, S3B,
  ...c(0), SET, ta,
  ...whileLess(ta, [GET, D0], [
    ...c(0), SET, tb,
    ...whileLess(tb, [GET, D1], [
      ...c(0), SET, tc,
      ...whileLess(tc, [GET, D2], [
        // p = x + (a·s0 + b·s1 + c·s2)·4
        GET, TX, GET, ta, GET, S0, MUL, GET, tb, GET, S1, MUL, ADD, GET, tc, GET, S2, MUL, ADD, ...c(4), MUL, ADD, SET, tp,
        ...c(0), SET, te,
        ...whileLess(te, [GET, D3], [GET, TO, GET, tp, ...I32LOAD, ...I32STORE, ...inc(TO, c(4)), ...inc(tp, [GET, S3B]), ...inc(te, c(1))]),
        ...inc(tc, c(1)),
      ]),
      ...inc(tb, c(1)),
    ]),
    ...inc(ta, c(1)),
  ]),
  END,
];

/** The module's bytes: bmm(a, b, o, batch, M, K, N), colsum(x, o, rows, cols) and transpose(x, o, d0…d3, s0…s3) over an imported memory e.m. */
export function moduleBytes(): Uint8Array {
  const fn = (code: number[]): number[] => [...leb(code.length), ...code];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [3, 0x60, 7, ...new Array<number>(7).fill(I32), 0, 0x60, 4, I32, I32, I32, I32, 0, 0x60, 10, ...new Array<number>(10).fill(I32), 0]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 0x00]),
    ...section(3, [3, 0, 1, 2]),
    ...section(7, [3, ...name('bmm'), 0x00, 0, ...name('colsum'), 0x00, 1, ...name('transpose'), 0x00, 2]),
    ...section(10, [3, ...fn(bmmCode), ...fn(colsumCode), ...fn(transposeCode)]),
  ]);
}

type Bmm = (a: number, b: number, o: number, batch: number, m: number, k: number, n: number) => void;
type ColSum = (x: number, o: number, rows: number, cols: number) => void;
type Transpose = (x: number, o: number, d0: number, d1: number, d2: number, d3: number, s0: number, s1: number, s2: number, s3: number) => void;
type Factory = (slow: KernelFunc) => KernelFunc;

/**
 * The kernels, each given the original (for every case it does not take); undefined where they
 * cannot run (no wasm backend memory, no WebAssembly SIMD).
 */
export function simdKernels(tf: Tf): { batchMatMul: Factory; columnSum: Factory; transpose: Factory } | undefined {
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  const backend = tf.findBackend('wasm') as unknown as WasmBackend | null;
  const memory = backend?.wasm?.asm?.memory;
  if (!api || !memory || !api.validate(moduleBytes())) return undefined;
  let exports: Record<string, unknown>;
  try {
    exports = new api.Instance(new api.Module(moduleBytes()), { e: { m: memory } }).exports;
  } catch {
    return undefined;
  }
  const bmm = exports.bmm as Bmm;
  const colsum = exports.colsum as ColSum;
  const copyTransposed = exports.transpose as Transpose;
  const at = (be: WasmBackend, t: TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;
  const batchMatMul: Factory = (slow) => (args) => {
    const { a, b } = args.inputs;
    const { attrs, backend: be } = args;
    const ra = a.shape.length;
    if (attrs.transposeA || attrs.transposeB || a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 3 || b.shape.length !== ra) return slow(args);
    for (let d = 0; d < ra - 2; d++) if (a.shape[d] !== b.shape[d]) return slow(args);
    const batch = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const [m, kk] = a.shape.slice(-2);
    const nn = b.shape[ra - 1];
    if (batch === 1 || kk > ONE_BLOCK || b.shape[ra - 2] !== kk || m * kk * nn === 0) return slow(args);
    const out = be.makeOutput([...a.shape.slice(0, -2), m, nn], 'float32');
    bmm(at(be, a), at(be, b), at(be, out), batch, m, kk, nn);
    return out;
  };
  const columnSum: Factory = (slow) => (args) => {
    const { x } = args.inputs;
    const { attrs, backend: be } = args;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const lead = axes.length;
    // Leading axes in ascending order only: the original sums the axes in the order given ([1, 0] is another order).
    if (x.dtype !== 'float32' || lead === 0 || lead >= rank || !axes.every((ax, i) => ax === i)) return slow(args);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, lead));
    const cols = tf.util.sizeFromShape(x.shape.slice(lead));
    if (rows * cols === 0) return slow(args);
    const out = be.makeOutput(attrs.keepDims ? x.shape.map((d, i) => (i < lead ? 1 : d)) : x.shape.slice(lead), 'float32');
    colsum(at(be, x), at(be, out), rows, cols);
    return out;
  };
  const transpose: Factory = (slow) => (args) => {
    const { x } = args.inputs;
    const { backend: be } = args;
    const perm = args.attrs.perm as number[];
    const rank = x.shape.length;
    // 4-byte values only (bool is a byte on the heap), rank 1–4.
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || rank < 1 || rank > 4 || perm.length !== rank) return slow(args);
    const outShape = perm.map((p) => x.shape[p]);
    const out = be.makeOutput(outShape, x.dtype);
    if (tf.util.sizeFromShape(outShape) === 0) return out;
    const strides = x.shape.map((_, i) => tf.util.sizeFromShape(x.shape.slice(i + 1)));
    // Padded with leading axes of size 1 to rank 4.
    const pad = 4 - rank;
    const d = [...new Array<number>(pad).fill(1), ...outShape];
    const st = [...new Array<number>(pad).fill(0), ...perm.map((p) => strides[p])];
    copyTransposed(at(be, x), at(be, out), d[0], d[1], d[2], d[3], st[0], st[1], st[2], st[3]);
    return out;
  };
  return { batchMatMul, columnSum, transpose };
}
