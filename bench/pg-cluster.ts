/**
 * A private PostgreSQL cluster for the tests and benchmarks: Debian's postgresql (installed by
 * .ci/run; `apt-get install postgresql` on a developer's machine), made with initdb in a temporary
 * folder and started with pg_ctl on a free loopback port, stopped and removed at the end. As root
 * (CI), the server runs as the `postgres` user, which the package creates.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function binDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const v = readdirSync(base).filter((x) => existsSync(join(base, x, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(base, v, 'bin') : undefined;
}

/** Whether Debian's PostgreSQL server binaries (initdb, pg_ctl) are installed. */
export const pgInstalled = (): boolean => binDir() !== undefined;

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
export async function startPgServer(o: { durable?: boolean } = {}): Promise<PgServer | undefined> {
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
  // Tests: fsync off (a test cluster loses nothing that matters in a crash, and commits are much
  // faster). Benchmarks: `durable`, PostgreSQL's defaults (each commit flushed to the WAL).
  const fast = o.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200${fast}`, 'start']);
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
