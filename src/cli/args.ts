/** Reading JSON arguments: inline JSON, @file, or @- for standard input. */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { StepwiseError } from '../core/errors.js';

export function readJsonArg(value: string, option: string): unknown {
  let text = value;
  if (value.startsWith('@')) {
    const file = value.slice(1);
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
      throw new StepwiseError('invalid_request', `${option}: cannot read ${file === '-' ? 'standard input' : file}: ${(e as Error).message}`, option);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StepwiseError('invalid_json', `${option} is not valid JSON: ${(e as Error).message}`, option);
  }
}

/** commander option parser: its InvalidArgumentError becomes a usage error (exit 2). */
export function parseSeed(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`--seed must be a non-negative integer, got "${value}"`);
  return Number(value);
}
