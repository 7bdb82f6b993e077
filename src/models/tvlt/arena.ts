/**
 * Scratch arrays reused from one training step to the next. A TVLT step on the CPU backends makes
 * a few hundred arrays of up to 70 thousand floats (activations, gradients, kernel results), the
 * same sizes in the same order every step; allocating them afresh cost a tenth of the step in
 * zero-filling and garbage collection. Inside inArena, alloc hands out the arrays of the previous
 * call in turn (a fresh one where the size differs); outside, it allocates.
 *
 * The rule that makes this safe: nothing taken inside inArena may be read after it returns. The
 * fused ops keep to it on WASM, where every array handed to tfjs (tf.tensor, a kernel's input) is
 * copied into the backend's heap; train.ts arms an arena on WASM only (the cpu backend keeps the
 * arrays it is given).
 */
export class Arena {
  private readonly slots: Float32Array[] = [];
  private next = 0;

  /** The next slot's array of n floats, zeroed unless `raw` (the caller overwrites every element). */
  take(n: number, raw: boolean): Float32Array {
    let a = this.slots[this.next];
    if (a === undefined || a.length !== n) {
      a = new Float32Array(n);
      this.slots[this.next] = a;
    } else if (!raw) a.fill(0);
    this.next++;
    return a;
  }

  reset(): void {
    this.next = 0;
  }

  /** Arrays held, for tests. */
  get size(): number {
    return this.slots.length;
  }
}

let armed: Arena | undefined;

/** A Float32Array of n floats, zeroed (unless `raw`): from the armed arena inside inArena, else new. */
export function alloc(n: number, raw = false): Float32Array {
  return armed ? armed.take(n, raw) : new Float32Array(n);
}

/** A copy of a, by alloc. */
export function copyOf(a: Float32Array): Float32Array {
  const out = alloc(a.length, true);
  out.set(a);
  return out;
}

/** f() with `arena` armed from its first slot; the arrays f takes are handed out again by the next call. */
export function inArena<T>(arena: Arena, f: () => T): T {
  const outer = armed;
  armed = arena;
  arena.reset();
  try {
    return f();
  } finally {
    armed = outer;
  }
}
