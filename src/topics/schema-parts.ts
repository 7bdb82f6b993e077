/**
 * JSON Schema pieces the topics' parameter schemas share. Bounds keep problems in the range a
 * person computes by hand and keep double precision far from overflow.
 */
export const MAX_ABS = 1e6;
export const MAX_DIM = 16;

export const number = { type: 'number', minimum: -MAX_ABS, maximum: MAX_ABS } as const;

export const positive = { type: 'number', exclusiveMinimum: 0, maximum: MAX_ABS } as const;

export function vector(opts: { min?: number; max?: number; items?: object } = {}) {
  return { type: 'array', minItems: opts.min ?? 1, maxItems: opts.max ?? MAX_DIM, items: opts.items ?? number } as const;
}

export function matrix(opts: { maxRows?: number; maxCols?: number } = {}) {
  return {
    type: 'array',
    minItems: 1,
    maxItems: opts.maxRows ?? MAX_DIM,
    items: vector({ max: opts.maxCols ?? MAX_DIM }),
  } as const;
}
