/** A progress bar on stderr when it is a terminal; nothing when output is piped (scripts, tests). */
import { Presets, SingleBar } from 'cli-progress';

export function bar(label: string): { update(done: number, total: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const b = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta}s`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        b.start(total, 0);
        started = true;
      }
      b.setTotal(total);
      b.update(done);
    },
    stop: () => started && b.stop(),
  };
}
