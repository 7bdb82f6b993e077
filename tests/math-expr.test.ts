/** The restricted math syntax: what it reads, what it refuses, and that it never evaluates more. */
import { describe, expect, it } from 'vitest';
import { evaluateExpression, ExpressionError, MAX_EXPRESSION_LENGTH } from '../src/core/math-expr.js';

const value = (s: string) => evaluateExpression(s);

describe('math answers', () => {
  it.each([
    ['0.24*0.3', 0.072],
    ['sqrt(2)/2', Math.SQRT2 / 2],
    ['e^-1', Math.exp(-1)],
    ['ln(2)', Math.log(2)],
    ['log(8, 2)', 3],
    ['log10(1000)', 3],
    ['2pi', 2 * Math.PI],
    ['tanh(0.5)', Math.tanh(0.5)],
    ['−0.5 × 2', -1],
    ['√(4)', 2],
    ['1/(1+exp(-0.3))', 1 / (1 + Math.exp(-0.3))],
    ['  -1.5e-3 ', -0.0015],
    ['floor((32 + 2 - 5)/2) + 1', 15],
    ['ceil(-2.5)', -2],
  ])('%s = %d', (src, expected) => {
    expect(Math.abs((value(src) as number) - expected)).toBeLessThan(1e-12);
  });

  it('reads matrix literals and scales them', () => {
    expect(value('[[1, 2], [3, 4]]')).toEqual([[1, 2], [3, 4]]);
    expect(value('[[2, 4], [6, 8]] / 2')).toEqual([[1, 2], [3, 4]]);
    expect(value('[1, 2] + [3, 4]')).toEqual([4, 6]);
  });

  it.each([
    ['x = 3', /assignment/],
    ['f(x) = x^2', /defining a function/],
    ['import({})', /function import is not allowed/],
    ['evaluate("1+1")', /function evaluate is not allowed/],
    ['a.b', /property or index access|unknown name/],
    ['[1,2][1]', /indexing|property or index access/],
    ['{a: 1}', /an object/],
    ['1:3', /a range/],
    ['true', /only numbers/],
    ['"text"', /only numbers/],
    ['2 cm', /unknown name "cm"/],
    ['3!', /operator "!"/],
    ['1 == 1', /comparison|operator "=="/],
    ['constructor', /unknown name "constructor"/],
    ['[[1,2],[3,4]] * [[1,0],[0,1]]', /between two arrays/],
    ['[1, 2] + [1, 2, 3]', /different sizes/],
    ['2 +', /cannot read/],
  ])('refuses %s', (src, message) => {
    expect(() => value(src)).toThrow(ExpressionError);
    expect(() => value(src)).toThrow(message);
  });

  it('limits length and nesting instead of overflowing the stack', () => {
    expect(() => value('1+'.repeat(MAX_EXPRESSION_LENGTH) + '1')).toThrow(/longer than/);
    expect(() => value('('.repeat(500) + '1' + ')'.repeat(500))).toThrow(/nested too deeply/);
  });
});
