/**
 * The CLIP lab's synthetic world: small RGB images of a shape in a colour, at a size and a place,
 * drawn in code from the run's PRNG, and captions from a small template grammar. Some shape–colour
 * combinations are held out of training so zero-shot CLIP can be asked about pairs it never saw.
 */
import type { Rng } from '../../generators/rng.js';

export const SHAPES = ['circle', 'square', 'triangle', 'cross', 'ring'] as const;
export const COLOURS = ['red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple', 'pink'] as const;
export const SIZES = ['small', 'big'] as const;
export const POSITIONS = ['left', 'right', 'top', 'bottom', 'middle'] as const;

export type Shape = (typeof SHAPES)[number];
export type Colour = (typeof COLOURS)[number];
export type Size = (typeof SIZES)[number];
export type Position = (typeof POSITIONS)[number];

/** Each colour word's hue in degrees. */
export const HUE: Record<Colour, number> = { red: 0, orange: 28, yellow: 55, green: 120, cyan: 185, blue: 225, purple: 275, pink: 320 };

/**
 * How far (±degrees) a scene's hue strays from its word's: 30% of the way to the nearest other
 * colour word. A word names a band of the hue wheel, so shape detectors must work across hues,
 * which is what lets them recognise a shape in a colour it was never seen in.
 */
export function hueSpread(c: Colour): number {
  const gaps = COLOURS.filter((o) => o !== c).map((o) => {
    const d = Math.abs(HUE[o] - HUE[c]) % 360;
    return Math.min(d, 360 - d);
  });
  return Math.floor(0.3 * Math.min(...gaps));
}

/** HSV (h in degrees, s and v in 0 … 1) to RGB. */
export function hsv(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h / 60) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)];
}

export function sceneRgb(s: Scene): [number, number, number] {
  return hsv((HUE[s.colour] + s.hue + 360) % 360, s.saturation, s.value);
}

const PLACE: Record<Position, string> = {
  left: 'on the left',
  right: 'on the right',
  top: 'at the top',
  bottom: 'at the bottom',
  middle: 'in the middle',
};

export interface Scene {
  shape: Shape;
  colour: Colour;
  size: Size;
  position: Position;
  /** Offset of the centre in pixels (jitter), so a position is a region, not one pixel. */
  dx: number;
  dy: number;
  /** The colour: hue offset from the word's hue (degrees), saturation and value. */
  hue: number;
  saturation: number;
  value: number;
}

export interface Pair {
  scene: Scene;
  caption: string;
  /** size·width·3 values in 0 … 1, row-major, RGB last. */
  pixels: Float32Array;
}

/** "a" or "an", for the word that follows ("an orange circle"). */
function a(words: string): string {
  return /^[aeiou]/.test(words) ? `an ${words}` : `a ${words}`;
}

/** The zero-shot prompt of CLIP's paper, "a photo of a {colour} {shape}", for one shape–colour pair. */
export function prompt(colour: Colour, shape: Shape): string {
  return `a photo of ${a(`${colour} ${shape}`)}`;
}

/** The fullest caption: every attribute, fixed wording (retrieval's queries and the heatmap's labels). */
export function fullCaption(s: Scene): string {
  return `a photo of ${a(`${s.size} ${s.colour} ${s.shape}`)} ${PLACE[s.position]}`;
}

/** A training caption: the grammar leaves out the size or the place at random, and varies the opening. */
export function randomCaption(s: Scene, rng: Rng): string {
  const photo = rng.int(0, 1) === 0 ? 'a photo of ' : '';
  const size = rng.int(0, 1) === 0 ? `${s.size} ` : '';
  const place = rng.int(0, 1) === 0 ? ` ${PLACE[s.position]}` : '';
  return `${photo}${a(`${size}${s.colour} ${s.shape}`)}${place}`;
}

/** Every word the grammar can say, in a fixed order (the text encoder's vocabulary). */
export const VOCAB: readonly string[] = [
  ...new Set(['a', 'an', 'photo', 'of', ...SIZES, ...COLOURS, ...SHAPES, ...Object.values(PLACE).flatMap((p) => p.split(' '))]),
];

/** `heldOut` shape–colour pairs on a permuted diagonal: each shape and each colour is held out at most once, so every word is still trained. */
export function heldOutCombos(rng: Rng, heldOut: number): { shape: Shape; colour: Colour }[] {
  const shapes = rng.shuffle([...SHAPES]);
  const colours = rng.shuffle([...COLOURS]);
  return Array.from({ length: heldOut }, (_, i) => ({ shape: shapes[i], colour: colours[i] }));
}

export function isHeldOut(held: { shape: Shape; colour: Colour }[], s: { shape: Shape; colour: Colour }): boolean {
  return held.some((h) => h.shape === s.shape && h.colour === s.colour);
}

/** Whether the shape covers the point (u, v), measured from its centre in units of its radius. */
function inside(shape: Shape, u: number, v: number): boolean {
  const d = Math.hypot(u, v);
  switch (shape) {
    case 'circle':
      return d <= 1;
    case 'square':
      return Math.abs(u) <= 0.85 && Math.abs(v) <= 0.85;
    case 'triangle':
      // Pointing up: apex at v = −1, base at v = 0.8, half-width growing down the shape.
      return v >= -1 && v <= 0.8 && Math.abs(u) <= (v + 1) * 0.55;
    case 'cross':
      return (Math.abs(u) <= 0.3 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 1);
    case 'ring':
      return d <= 1.05 && d >= 0.55;
  }
}

/** The scene's pixels on a dark background; 3×3 supersampling gives each pixel the shape's coverage. */
export function render(s: Scene, size: number, background = 0.08, noise?: Float32Array): Float32Array {
  const out = new Float32Array(size * size * 3);
  const cx = { left: 0.28, right: 0.72, top: 0.5, bottom: 0.5, middle: 0.5 }[s.position] * size + s.dx;
  const cy = { left: 0.5, right: 0.5, top: 0.28, bottom: 0.72, middle: 0.5 }[s.position] * size + s.dy;
  const r = (s.size === 'small' ? 0.15 : 0.25) * size;
  const rgb = sceneRgb(s);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < 3; sy++) {
        for (let sx = 0; sx < 3; sx++) {
          if (inside(s.shape, (x + (sx + 0.5) / 3 - cx) / r, (y + (sy + 0.5) / 3 - cy) / r)) hits++;
        }
      }
      const cover = hits / 9;
      const bg = background + (noise ? noise[y * size + x] : 0);
      for (let c = 0; c < 3; c++) out[(y * size + x) * 3 + c] = cover * rgb[c] + (1 - cover) * bg;
    }
  }
  return out;
}

/** A scene drawn at random; `combos` are the shape–colour pairs it may use. */
export function randomScene(rng: Rng, combos: { shape: Shape; colour: Colour }[], imageSize: number): Scene {
  const { shape, colour } = rng.pick(combos);
  const jitter = Math.max(1, Math.round(imageSize / 16));
  return {
    shape,
    colour,
    size: rng.pick(SIZES),
    position: rng.pick(POSITIONS),
    dx: rng.int(-jitter, jitter),
    dy: rng.int(-jitter, jitter),
    hue: rng.int(-hueSpread(colour), hueSpread(colour)),
    saturation: rng.decimal(0.6, 1, 2),
    value: rng.decimal(0.75, 1, 2),
  };
}

/** A pair with background noise (±0.04 grey, per pixel) and a caption from the grammar or the full one. */
export function randomPair(rng: Rng, combos: { shape: Shape; colour: Colour }[], imageSize: number, captions: 'grammar' | 'full'): Pair {
  const scene = randomScene(rng, combos, imageSize);
  const noise = Float32Array.from({ length: imageSize * imageSize }, () => rng.int(-40, 40) / 1000);
  const caption = captions === 'full' ? fullCaption(scene) : randomCaption(scene, rng);
  return { scene, caption, pixels: render(scene, imageSize, 0.08, noise) };
}

export function allCombos(): { shape: Shape; colour: Colour }[] {
  return SHAPES.flatMap((shape) => COLOURS.map((colour) => ({ shape, colour })));
}

export interface Dataset {
  heldOut: { shape: Shape; colour: Colour }[];
  train: Pair[];
}

/** The training set: `pairs` pairs over every combination but the held-out ones. */
export function trainingSet(rng: Rng, o: { heldOut: number; pairs: number; imageSize: number }): Dataset {
  const heldOut = heldOutCombos(rng, o.heldOut);
  const seen = allCombos().filter((c) => !isHeldOut(heldOut, c));
  return { heldOut, train: Array.from({ length: o.pairs }, () => randomPair(rng, seen, o.imageSize, 'grammar')) };
}

/** A caption as word counts over VOCAB divided by its length: the bag the text encoder embeds. */
export function bagOfWords(caption: string): Float32Array {
  const words = caption.split(' ');
  const bag = new Float32Array(VOCAB.length);
  for (const w of words) {
    const k = VOCAB.indexOf(w);
    if (k < 0) throw new Error(`word "${w}" is not in the CLIP lab's vocabulary`);
    bag[k] += 1 / words.length;
  }
  return bag;
}

/** Pixels as rows of [r, g, b] for plots.images. */
export function toRows(pixels: Float32Array, size: number): number[][][] {
  return Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => [0, 1, 2].map((c) => pixels[(y * size + x) * 3 + c])));
}
