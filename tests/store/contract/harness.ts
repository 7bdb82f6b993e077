/** Runs one contract test on a new backend: skipped when the backend is unavailable, closed after. */
import type { TestContext } from 'vitest';
import type { Backend, MakeBackend } from './backends.js';

export async function withBackend(ctx: TestContext, make: MakeBackend, body: (b: Backend) => Promise<void>, opts?: { secret?: string }): Promise<void> {
  const b = await make(opts);
  if (!b) return ctx.skip();
  try {
    await body(b);
  } finally {
    await b.close();
  }
}

export const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();
export const ahead = (ms: number): string => new Date(Date.now() + ms).toISOString();
