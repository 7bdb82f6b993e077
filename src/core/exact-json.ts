/**
 * JSON as a cache key: the text names the value exactly, or there is no key. JSON blurs -0 into 0,
 * NaN and ±∞ into null, drops undefined fields and array holes' difference, and writes a Date, a
 * Map or a class instance as something else; a key made from any of those could name two
 * different values, so it is refused (as is anything nested deeper than 64 levels, or a cycle).
 */
export function exactJson(x: unknown): string | undefined {
  return plain(x, 0) ? JSON.stringify(x) : undefined;
}

const MAX_DEPTH = 64;

/** Whether JSON writes `x` as itself: strings, booleans, null, finite numbers other than -0, and plain arrays and objects of them. */
function plain(x: unknown, depth: number): boolean {
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(x) && !Object.is(x, -0);
    case 'object': {
      if (x === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(x)) {
        if (Object.getPrototypeOf(x) !== Array.prototype) return false;
        for (let i = 0; i < x.length; i++) if (!(i in x) || !plain(x[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(x) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      const o = x as Record<string, unknown>;
      for (const k in o) if (Object.hasOwn(o, k) && !plain(o[k], depth + 1)) return false;
      return true;
    }
    default:
      return false; // undefined, functions, symbols, bigints
  }
}
