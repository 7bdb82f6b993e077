/**
 * Math-syntax answers ("0.24*0.3", "sqrt(2)/2", "e^-1", "[[1, 2], [3, 4]]"), parsed by mathjs and
 * evaluated here by walking the parse tree against a closed whitelist: arithmetic, powers, a few
 * functions and constants, matrix literals. Nothing else is ever evaluated — no assignment, function
 * definition, property access, import or any other mathjs function — because mathjs is used only
 * as a parser; its evaluator and its internals are never reachable from a student's string.
 */
import { createRequire } from 'node:module';
import type { MathNode } from 'mathjs';

/** Longest accepted math string (characters). */
export const MAX_EXPRESSION_LENGTH = 2000;
/** Deepest nesting of brackets, parentheses and function calls; a flat chain of operators does not count. */
export const MAX_NESTING = 64;

export type ExprValue = number | ExprValue[];

export class ExpressionError extends Error {}

type MathParse = (expr: string) => MathNode;
let parseFn: MathParse | undefined;

/**
 * mathjs is loaded on the first math string, not at start: most answers are plain numbers. Its
 * single-file bundle loads in about 50 ms against about 600 ms for its ES-module tree.
 */
function mathParse(): MathParse {
  if (!parseFn) {
    const math = createRequire(import.meta.url)('mathjs/lib/browser/math.js') as { parse: MathParse };
    parseFn = math.parse;
  }
  return parseFn;
}

// Unambiguous (each character has one way to match), so its cost is linear: the older
// `\d+\.?\d*` could split a run of digits in n ways and took seconds on 60,000 digits and a letter.
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const CONSTANTS: Record<string, number> = {
  pi: Math.PI,
  PI: Math.PI,
  e: Math.E,
  E: Math.E,
  tau: 2 * Math.PI,
  Infinity: Infinity,
  inf: Infinity,
};

const FUNCTIONS: Record<string, { arity: number[]; f: (...a: number[]) => number }> = {
  sqrt: { arity: [1], f: Math.sqrt },
  exp: { arity: [1], f: Math.exp },
  ln: { arity: [1], f: Math.log },
  // log(x) is natural (mathjs and most calculators' convention); log(x, b) takes a base.
  log: { arity: [1, 2], f: (x: number, b?: number) => (b === undefined ? Math.log(x) : Math.log(x) / Math.log(b)) },
  log10: { arity: [1], f: Math.log10 },
  log2: { arity: [1], f: Math.log2 },
  sin: { arity: [1], f: Math.sin },
  cos: { arity: [1], f: Math.cos },
  tan: { arity: [1], f: Math.tan },
  tanh: { arity: [1], f: Math.tanh },
  abs: { arity: [1], f: Math.abs },
  // Output sizes are written with a floor: ⌊(n + 2p − k)/s⌋ + 1.
  floor: { arity: [1], f: Math.floor },
  ceil: { arity: [1], f: Math.ceil },
};

const BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  pow: (a, b) => a ** b,
};

/** Typography students paste from notes or the prompt: − × · ÷ π ∞ √. */
function normalise(src: string): string {
  return src
    .replace(/[\u2212\u2013]/g, '-')
    .replace(/[×·⋅]/g, '*')
    .replace(/÷/g, '/')
    .replace(/π/g, 'pi')
    .replace(/∞/g, 'Infinity')
    .replace(/√/g, 'sqrt');
}

/** Parses and evaluates a math string. Throws ExpressionError with a student-readable message. */
export function evaluateExpression(src: string): ExprValue {
  // The limits come first: nothing below (regular expressions, mathjs) ever sees a longer string.
  if (src.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters (it has ${src.length})`);
  }
  const text = src.trim();
  if (PLAIN_NUMBER.test(text)) return Number(text);
  if (nestingOf(text) > MAX_NESTING) throw new ExpressionError(`the expression is nested too deeply (more than ${MAX_NESTING} brackets)`);
  let node: MathNode;
  try {
    node = mathParse()(normalise(text));
  } catch (e) {
    if (e instanceof RangeError) throw new ExpressionError('the expression is nested too deeply');
    throw new ExpressionError(`cannot read "${clip(text)}": ${(e as Error).message}`);
  }
  return evaluate(node, 0);
}

/** Deepest bracket nesting, in one pass, before mathjs (whose parser recurses per bracket) sees it. */
function nestingOf(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) max = Math.max(max, ++depth); // ( [ {
    else if (c === 41 || c === 93 || c === 125) depth--; // ) ] }
  }
  return max;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

// mathjs node objects, seen through the fields this walker reads.
interface Node {
  type: string;
  value?: unknown;
  name?: string;
  fn?: string | Node;
  op?: string;
  args?: Node[];
  content?: Node;
  items?: Node[];
  implicit?: boolean;
}

/**
 * `depth` counts parentheses, array literals and function calls, as nestingOf does: a flat sum of
 * 70 terms is a left-leaning tree 70 operators deep, and is an answer, not "nested too deeply".
 * Operator chains recurse once per operator; the length limit bounds them (about 1,000).
 */
function evaluate(raw: MathNode, depth: number): ExprValue {
  if (depth > MAX_NESTING) throw new ExpressionError('the expression is nested too deeply');
  const node = raw as unknown as Node;
  switch (node.type) {
    case 'ConstantNode':
      if (typeof node.value === 'number') return node.value;
      throw new ExpressionError(`only numbers are allowed, not ${JSON.stringify(node.value)}`);
    case 'ParenthesisNode':
      return evaluate(node.content as unknown as MathNode, depth + 1);
    case 'SymbolNode': {
      const c = node.name !== undefined && Object.hasOwn(CONSTANTS, node.name) ? CONSTANTS[node.name] : undefined;
      if (c === undefined) throw new ExpressionError(`unknown name "${node.name}" (allowed constants: pi, e)`);
      return c;
    }
    case 'ArrayNode':
      return (node.items ?? []).map((item) => evaluate(item as unknown as MathNode, depth + 1));
    case 'OperatorNode':
      return evaluateOperator(node, depth);
    case 'FunctionNode': {
      const fnNode = node.fn as Node;
      const name = fnNode.type === 'SymbolNode' ? fnNode.name : undefined;
      const spec = name !== undefined && Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
      if (!spec || name === undefined) {
        throw new ExpressionError(
          `function ${name ?? '(expression)'} is not allowed (allowed: ${Object.keys(FUNCTIONS).join(', ')})`,
        );
      }
      const args = (node.args ?? []).map((a) => evaluate(a as unknown as MathNode, depth + 1));
      if (!spec.arity.includes(args.length)) {
        throw new ExpressionError(`${name} takes ${spec.arity.join(' or ')} argument(s), got ${args.length}`);
      }
      return elementwise(args, (...xs) => spec.f(...xs), name);
    }
    default:
      throw new ExpressionError(`${describeNode(node.type)} is not allowed in an answer`);
  }
}

function evaluateOperator(node: Node, depth: number): ExprValue {
  const fn = node.fn as string;
  const args = (node.args ?? []).map((a) => evaluate(a as unknown as MathNode, depth));
  if (fn === 'unaryMinus') return elementwise(args, (x) => -x, '-');
  if (fn === 'unaryPlus') return args[0];
  const op = Object.hasOwn(BINARY, fn) ? BINARY[fn] : undefined;
  if (!op || args.length !== 2) throw new ExpressionError(`the operator "${node.op}" is not allowed in an answer`);
  const [a, b] = args;
  // Arrays combine element-wise with a number (scaling) or with an array of the same shape
  // (+, −); a matrix product or array powers are not something an answer needs.
  if (Array.isArray(a) && Array.isArray(b) && fn !== 'add' && fn !== 'subtract') {
    throw new ExpressionError(`"${node.op}" between two arrays is not supported; write out the result`);
  }
  if (fn === 'pow' && Array.isArray(b)) throw new ExpressionError('an array cannot be an exponent');
  return elementwise([a, b], op, node.op ?? fn);
}

/** Applies f across arrays: scalars broadcast, arrays must agree in shape. */
function elementwise(args: ExprValue[], f: (...xs: number[]) => number, what: string): ExprValue {
  const arr = args.find(Array.isArray) as ExprValue[] | undefined;
  if (!arr) return f(...(args as number[]));
  return arr.map((_, i) =>
    elementwise(
      args.map((a) => {
        if (!Array.isArray(a)) return a;
        if (a.length !== arr.length) throw new ExpressionError(`arrays of different sizes combined with "${what}"`);
        return a[i];
      }),
      f,
      what,
    ),
  );
}

function describeNode(type: string): string {
  const names: Record<string, string> = {
    AssignmentNode: 'assignment',
    FunctionAssignmentNode: 'defining a function',
    AccessorNode: 'property or index access',
    IndexNode: 'indexing',
    ObjectNode: 'an object',
    RangeNode: 'a range',
    ConditionalNode: 'a conditional',
    BlockNode: 'several statements',
    RelationalNode: 'a comparison',
  };
  return names[type] ?? `"${type}"`;
}
