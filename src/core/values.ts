/** The values a step can take. Vectors are row vectors; a matrix is an array of rows. */
export type Vector = number[];
export type Matrix = number[][];
export type Value = number | Vector | Matrix | string;

/** The declared kind of a step's value: what shape an answer must have. */
export type Kind = 'scalar' | 'vector' | 'matrix' | 'label';

/** Human description of a value's shape, for feedback: "a 3×4 matrix", "a vector of length 3". */
export function describeShape(v: unknown): string {
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'string') return 'a text label';
  if (Array.isArray(v)) {
    if (v.length > 0 && Array.isArray(v[0])) {
      const cols = (v[0] as unknown[]).length;
      const ragged = v.some((r) => !Array.isArray(r) || r.length !== cols);
      return ragged ? `a ragged matrix with ${v.length} rows` : `a ${v.length}×${cols} matrix`;
    }
    return `a vector of length ${v.length}`;
  }
  if (v === null) return 'null';
  return `a ${typeof v}`;
}

/** Element position for feedback: "element 3", "row 2, column 1" (1-based, as students count). */
export function describePosition(v: number | Vector | Matrix, flatIndex: number): string {
  if (typeof v === 'number') return 'the value';
  if (v.length > 0 && Array.isArray(v[0])) {
    const cols = (v as Matrix)[0].length;
    return `row ${Math.floor(flatIndex / cols) + 1}, column ${(flatIndex % cols) + 1}`;
  }
  return `element ${flatIndex + 1}`;
}
