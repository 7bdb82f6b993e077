/**
 * Child processes for the HTTP benchmarks and the crash test: the real Stepwise server (the built
 * CLI's `serve`) and a bare express server that echoes JSON, each on its own loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/core/paths.js';

// The built files, whether this module runs from dist/bench or from the sources (tests).
export const CLI = join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js');
export const ECHO = join(PACKAGE_ROOT, 'dist', 'bench', 'echo-server.js');
export const BENCH_KEY = 'sw_bench_instructor_key_0123456789abcdef';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Child {
  proc: ChildProcess;
  url: string;
  pid: number;
}

/**
 * Starts a node script with `args`, pinned to `cpu` when taskset exists, and waits for /healthz.
 * BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to that node, for profiling.
 */
export async function startNode(script: string, args: string[], env: Record<string, string>, port: number, cpu?: number | string): Promise<Child> {
  const node = [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), script, ...args];
  const cmd = cpu === undefined ? process.execPath : 'taskset';
  const argv = cpu === undefined ? node : ['-c', String(cpu), process.execPath, ...node];
  const proc = spawn(cmd, argv, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`${script} exited with ${proc.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { proc, url, pid: proc.pid! };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`${script} did not answer /healthz`);
}

/** The real server; `workers` > 1 runs it as that many processes on one port (STEPWISE_WORKERS). */
export function startStepwise(db: string | { url: string }, port: number, cpu?: number | string, workers = 1): Promise<Child> {
  // A file: SQLite; a URL: PostgreSQL (STEPWISE_DATABASE_URL).
  const where: Record<string, string> = typeof db === 'string' ? { STEPWISE_DB: db } : { STEPWISE_DATABASE_URL: db.url };
  return startNode(CLI, ['serve'], { ...where, STEPWISE_BOOTSTRAP_KEY: BENCH_KEY, STEPWISE_RATE_LIMIT: '0', STEPWISE_LOG_LEVEL: 'warn', STEPWISE_WORKERS: String(workers) }, port, cpu);
}

export function startEcho(port: number, cpu?: number): Promise<Child> {
  return startNode(ECHO, [], {}, port, cpu);
}

/** A process and its children (a cluster's workers), from Linux /proc. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      const kids = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8').trim();
      if (kids) out.push(...kids.split(' ').map(Number));
    } catch {
      // gone already
    }
  }
  return out;
}

/** Resident memory of a process and its children, in MB (Linux /proc). */
export async function rssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  let kb = 0;
  for (const p of processTree(pid)) {
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kb / 1024;
}

/** CPU time a process and its children have used so far, ms (user + system; clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone already
    }
  }
  return ticks * 10;
}

/** Resolves when the process has exited (at once if it already has). */
export function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((r) => proc.once('exit', () => r()));
}

export async function stop(child: Child): Promise<void> {
  const done = exited(child.proc);
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGTERM');
  await done;
}
