/**
 * The CLI's shared output and error handling: every command prints text, or JSON under --json;
 * bad input exits 2 with its message (as JSON under --json), a bug exits 1.
 */
import { asStepwiseError } from '../core/errors.js';

export function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? JSON.stringify(value) + '\n' : text() + '\n');
}

/** Runs a command body; bad input exits 2 with its message (as JSON under --json), bugs exit 1. */
export function action<A extends unknown[]>(body: (...args: A) => void | Promise<void>) {
  return async (...args: A): Promise<void> => {
    try {
      await body(...args);
    } catch (e) {
      const err = asStepwiseError(e);
      const opts = args.find((a): a is { json?: boolean } => typeof a === 'object' && a !== null && 'json' in a);
      if (opts?.json) process.stdout.write(JSON.stringify({ ok: false, error: err.toJSON() }) + '\n');
      else process.stderr.write(`stepwise: ${err.message}\n`);
      process.exitCode = err.code === 'internal' ? 1 : 2;
    }
  };
}
