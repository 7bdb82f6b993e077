/**
 * The audio side of the synthetic clips, in plain TypeScript so it is deterministic and testable:
 * a phase-continuous sine sweep, a radix-2 FFT, an STFT with a Hann window, a triangular mel
 * filterbank (HTK mel scale) and a log compression to 0 … 1.
 */

export const SAMPLE_RATE = 8000;
/** FFT size and hop: 32 ms frames without overlap, so each STFT column sees a single pitch. */
export const N_FFT = 256;
export const HOP = 256;

/** A sine whose frequency is held for `samplesPer` samples at each value of `freqs`; the phase runs on, so there are no clicks. */
export function sineSweep(freqs: number[], samplesPer: number, sampleRate = SAMPLE_RATE, amplitude = 0.5): Float32Array {
  const out = new Float32Array(freqs.length * samplesPer);
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = amplitude * Math.sin(phase);
    phase += (2 * Math.PI * freqs[Math.floor(i / samplesPer)]) / sampleRate;
  }
  return out;
}

/** The periodic Hann window (the STFT convention: it tiles to a constant at 50 % overlap). */
export function hann(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
}

/**
 * The FFT's twiddle factors for length n, stage after stage: cos and sin of (−2π / len)·k for len =
 * 2, 4, …, n and k < len / 2, the very expressions the loop below would evaluate (so the same
 * values), worked out once per length instead of once per transform (a TVLT run takes ~10,000).
 */
const twiddleTables = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  let t = twiddleTables.get(n);
  if (!t) {
    t = { cos: new Float64Array(n), sin: new Float64Array(n) };
    for (let len = 2, at = 0; len <= n; len <<= 1) {
      const ang = (-2 * Math.PI) / len;
      for (let k = 0; k < len / 2; k++, at++) {
        t.cos[at] = Math.cos(ang * k);
        t.sin[at] = Math.sin(ang * k);
      }
    }
    twiddleTables.set(n, t);
  }
  return t;
}

/** In-place iterative radix-2 FFT of (re, im); the length must be a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n & (n - 1)) throw new Error(`fft length ${n} is not a power of two`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  const tw = twiddles(n);
  for (let len = 2, first = 0; len <= n; first += len / 2, len <<= 1) {
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = tw.cos[first + k];
        const wi = tw.sin[first + k];
        const a = start + k;
        const b = a + len / 2;
        const tr = re[b] * wr - im[b] * wi;
        const ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/** Power spectrogram |STFT|², frames × (nFft/2 + 1), frames taken without padding. */
export function stftPower(signal: Float32Array, nFft = N_FFT, hop = HOP): number[][] {
  const win = hann(nFft);
  const frames: number[][] = [];
  for (let start = 0; start + nFft <= signal.length; start += hop) {
    const re = new Float64Array(nFft);
    const im = new Float64Array(nFft);
    for (let i = 0; i < nFft; i++) re[i] = signal[start + i] * win[i];
    fft(re, im);
    frames.push(Array.from({ length: nFft / 2 + 1 }, (_, k) => re[k] * re[k] + im[k] * im[k]));
  }
  return frames;
}

export const hzToMel = (f: number): number => 2595 * Math.log10(1 + f / 700);
export const melToHz = (m: number): number => 700 * (10 ** (m / 2595) - 1);

/**
 * nMels triangles (weights nMels × (nFft/2 + 1)) with centres equally spaced in mel between
 * fMin and fMax; each rises from the previous centre to its own and falls to the next.
 */
export function melFilterbank(nMels: number, nFft = N_FFT, sampleRate = SAMPLE_RATE, fMin = 0, fMax = sampleRate / 2): number[][] {
  const lo = hzToMel(fMin);
  const hi = hzToMel(fMax);
  const edges = Array.from({ length: nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nMels + 1)));
  const binHz = Array.from({ length: nFft / 2 + 1 }, (_, k) => (k * sampleRate) / nFft);
  return Array.from({ length: nMels }, (_, m) => {
    const [left, centre, right] = [edges[m], edges[m + 1], edges[m + 2]];
    return binHz.map((f) => Math.max(0, Math.min((f - left) / (centre - left), (right - f) / (right - centre))));
  });
}

const banks = new Map<string, number[][]>();

/** Dynamic range kept by logMel: 60 dB below the clip's loudest cell maps to 0. */
export const TOP_DB = 60;

/**
 * Log-mel spectrogram, time × nMels, scaled to 0 … 1: dB relative to the clip's maximum (as
 * librosa's ref=max), floored at −TOP_DB, so a tone's band is 1 and silence is 0.
 */
export function logMel(signal: Float32Array, nMels: number, nFft = N_FFT, hop = HOP, sampleRate = SAMPLE_RATE): number[][] {
  const key = `${nMels}/${nFft}/${sampleRate}`;
  // The same filterbank for every clip: made once (read only here).
  let bank = banks.get(key);
  if (!bank) banks.set(key, (bank = melFilterbank(nMels, nFft, sampleRate)));
  const mel = stftPower(signal, nFft, hop).map((p) => bank.map((w) => w.reduce((s, wk, k) => s + wk * p[k], 0)));
  const db = mel.map((row) => row.map((v) => 10 * Math.log10(v + 1e-10)));
  const ref = Math.max(...db.flat());
  return db.map((row) => row.map((v) => Math.max(v - ref, -TOP_DB) / TOP_DB + 1));
}
