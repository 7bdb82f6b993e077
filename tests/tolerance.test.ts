import { describe, expect, it } from 'vitest';
import { allowance, DEFAULT_TOLERANCE, describeTolerance, withinTolerance } from '../src/core/tolerance.js';

describe('tolerance', () => {
  it('defaults to 0.001 + 1% of the truth', () => {
    expect(withinTolerance(1.0109, 1, DEFAULT_TOLERANCE)).toBe(true);
    expect(withinTolerance(1.0111, 1, DEFAULT_TOLERANCE)).toBe(false);
    expect(withinTolerance(0.0009, 0, DEFAULT_TOLERANCE)).toBe(true);
    expect(withinTolerance(0.0011, 0, DEFAULT_TOLERANCE)).toBe(false);
  });

  it('"4 decimal places" accepts half a unit in the 4th place, including exact rounding ties', () => {
    const t = { decimals: 4 };
    expect(withinTolerance(0.1235, 0.12345, t)).toBe(true);
    expect(withinTolerance(0.1234, 0.12345, t)).toBe(true);
    expect(withinTolerance(0.1236, 0.12345, t)).toBe(false);
    expect(allowance(123, t)).toBeCloseTo(0.00005, 12);
  });

  it('"3 significant figures" scales with the magnitude', () => {
    const t = { sigfigs: 3 };
    expect(withinTolerance(1230, 1234, t)).toBe(true);
    expect(withinTolerance(1240, 1234, t)).toBe(false);
    expect(withinTolerance(0.000123, 0.0001234, t)).toBe(true);
    expect(withinTolerance(0.000124, 0.0001234, t)).toBe(false);
  });

  it('masked entries match only masked entries', () => {
    expect(withinTolerance(-Infinity, -Infinity, DEFAULT_TOLERANCE)).toBe(true);
    expect(withinTolerance(-1e9, -Infinity, DEFAULT_TOLERANCE)).toBe(false);
    expect(withinTolerance(-Infinity, 0, DEFAULT_TOLERANCE)).toBe(false);
  });

  it('explains itself to the student', () => {
    expect(describeTolerance({ decimals: 2 })).toBe('Give each answer to 2 decimal places.');
    expect(describeTolerance({ sigfigs: 1 })).toBe('Give each answer to 1 significant figure.');
    expect(describeTolerance({ absolute: 0.01 })).toBe('Answers are accepted within ±0.01.');
  });
});
