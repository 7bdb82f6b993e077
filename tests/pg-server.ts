/**
 * A real PostgreSQL for the tests: Debian's postgresql (installed by .ci/run; `apt-get install
 * postgresql` on a developer's machine), a private cluster made with initdb in a temporary folder
 * and started with pg_ctl on a free loopback port, stopped and removed at the end. As root (CI),
 * the server runs as the `postgres` user, which the package creates. Without the binaries the
 * PostgreSQL tests are skipped, except on CI, where they are required: a test file calls
 * `pgRequiredOnCi()`, which fails under CI=true when the binaries are missing.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

function binDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const v = readdirSync(base).filter((x) => existsSync(join(base, x, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(base, v, 'bin') : undefined;
}

/** Whether Debian's PostgreSQL server binaries (initdb, pg_ctl) are installed. */
export const pgInstalled = (): boolean => binDir() !== undefined;

/** A test that fails under CI=true when PostgreSQL is missing (elsewhere the PostgreSQL tests just skip). */
export function pgRequiredOnCi(): void {
  it.runIf(process.env.CI === 'true')('PostgreSQL is installed (CI)', () => expect(pgInstalled()).toBe(true));
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

export interface PgServer {
  /** postgres://…/postgres: make a database per test file with `freshDatabase`. */
  url: string;
  stop(): void;
}

/** Starts a private cluster, or undefined when PostgreSQL is not installed. */
export async function startPgServer(): Promise<PgServer | undefined> {
  const bin = binDir();
  if (!bin) return undefined;
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  run('initdb', ['-D', data, '-U', 'stepwise', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  const port = await freePort();
  // fsync off: a test cluster loses nothing that matters in a crash, and commits are much faster.
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`, 'start']);
  return {
    url: `postgres://stepwise@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

let made = 0;
/** A new, empty database on the server, for one test file or store: its URL. */
export async function freshDatabase(serverUrl: string): Promise<string> {
  const { default: pg } = await import('pg');
  const name = `t_${process.pid}_${Date.now().toString(36)}_${made++}`;
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  return serverUrl.replace(/\/[^/]*$/, `/${name}`);
}
