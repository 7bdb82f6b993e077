/**
 * Running the service: configuration from the environment, the store (SQLite, or PostgreSQL when
 * STEPWISE_DATABASE_URL is set: src/store/open.ts), the first instructor
 * key, listening, and a graceful shutdown that lets in-flight requests finish and closes the
 * database cleanly.
 *
 *   PORT (3000) · HOST (all interfaces) · STEPWISE_DB (db/stepwise.db) · STEPWISE_DATABASE_URL
 *   (postgres://…: PostgreSQL in place of STEPWISE_DB) · STEPWISE_BOOTSTRAP_KEY ·
 *   STEPWISE_RATE_LIMIT (requests per minute per key, 600; 0 = off) · STEPWISE_AUTH_FAILURE_LIMIT
 *   (failed authentications per minute per address, 20; 0 = off) · STEPWISE_BASE_URL ·
 *   STEPWISE_ALLOWED_HOSTS · STEPWISE_LOG_LEVEL (info) · STEPWISE_DB_SYNC (normal | full)
 *   · STEPWISE_SECRET (keys exam item seeds; default: made once, stored) · STEPWISE_WORKERS (1;
 *   "auto" or a number: that many processes share the port and the database, src/cluster.ts)
 *
 * This file sits above the edges: it is the one place the API and the LTI tool are put together
 * (src/api never imports src/lti; tests/architecture.test.ts checks it).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import { pino, type Logger } from 'pino';
import { ltiTool } from './lti/index.js';
import { dbFileFromEnv } from './store/sqlite/db.js';
import { databaseUrlFromEnv, describeTarget, openStoreAt, type OpenedStore, type StoreTarget } from './store/open.js';
import { createApp } from './api/app.js';
import { modelWorker } from './model-worker.js';
import { bootstrapInstructor } from './api/bootstrap.js';
import { parseAllowedHosts } from './api/origin.js';
import type { Peers } from './api/peers.js';
import type { Bootstrap } from './api/bootstrap.js';

export interface ServerConfig {
  port: number;
  /** Listen address; undefined: all interfaces. */
  host?: string;
  dbFile: string;
  /** STEPWISE_DATABASE_URL: PostgreSQL in place of the SQLite file (never printed with its password). */
  databaseUrl?: string;
  bootstrapKey?: string;
  rateLimitPerMinute: number;
  authFailuresPerMinute: number;
  baseUrl?: string;
  allowedHosts: string[];
  logLevel: string;
  synchronous: 'normal' | 'full';
  /** The server secret that keys exam item seeds; absent: the one stored in the database. */
  secret?: string;
  /** Server processes (STEPWISE_WORKERS; 1: this process serves alone). */
  workers: number;
  /** STEPWISE_MODEL_WORKER: 'local' runs a model worker in each server process; 'external' leaves the jobs to `stepwise worker`. */
  modelWorker: 'local' | 'external';
}

/** Most worker processes accepted (each holds its own caches and SQLite connection). */
export const MAX_WORKERS = 64;

/** STEPWISE_WORKERS: an integer from 1 to 64, or "auto" (one per CPU the process may use). */
export function parseWorkers(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1;
  if (raw.trim() === 'auto') return Math.min(MAX_WORKERS, availableParallelism());
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new Error(`STEPWISE_WORKERS must be "auto" or an integer from 1 to ${MAX_WORKERS}, got "${raw}"`);
  return n;
}

function modelWorkerFromEnv(raw: string | undefined): 'local' | 'external' {
  if (raw === undefined || raw === '' || raw === 'local') return 'local';
  if (raw === 'external') return 'external';
  throw new Error(`STEPWISE_MODEL_WORKER must be "local" or "external", got "${raw}"`);
}

/** Shortest STEPWISE_SECRET accepted (32 random characters are well over 128 bits). */
export const MIN_SECRET_LENGTH = 32;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const sync = env.STEPWISE_DB_SYNC ?? 'normal';
  if (sync !== 'normal' && sync !== 'full') throw new Error(`STEPWISE_DB_SYNC must be "normal" or "full", got "${sync}"`);
  const secret = env.STEPWISE_SECRET;
  // Never echo the value: a secret too short to use is still a secret.
  if (secret !== undefined && secret !== '' && secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`STEPWISE_SECRET must be at least ${MIN_SECRET_LENGTH} characters long, got ${secret.length}`);
  }
  const databaseUrl = databaseUrlFromEnv(env);
  return {
    port: int('PORT', 3000, 0, 65535),
    ...(env.HOST?.trim() ? { host: env.HOST.trim() } : {}),
    dbFile: dbFileFromEnv(env),
    ...(databaseUrl !== undefined ? { databaseUrl } : {}),
    ...(env.STEPWISE_BOOTSTRAP_KEY ? { bootstrapKey: env.STEPWISE_BOOTSTRAP_KEY } : {}),
    rateLimitPerMinute: int('STEPWISE_RATE_LIMIT', 600, 0, 10_000_000),
    authFailuresPerMinute: int('STEPWISE_AUTH_FAILURE_LIMIT', 20, 0, 1_000_000),
    ...(env.STEPWISE_BASE_URL ? { baseUrl: env.STEPWISE_BASE_URL.replace(/\/$/, '') } : {}),
    allowedHosts: parseAllowedHosts(env.STEPWISE_ALLOWED_HOSTS),
    logLevel: env.STEPWISE_LOG_LEVEL ?? 'info',
    synchronous: sync,
    ...(secret ? { secret } : {}),
    workers: parseWorkers(env.STEPWISE_WORKERS),
    modelWorker: modelWorkerFromEnv(env.STEPWISE_MODEL_WORKER),
  };
}

export interface Running {
  server: Server;
  store: OpenedStore;
  logger: Logger;
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), closes the database. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** Sibling processes (a cluster worker's); the primary has already prepared the database. */
  peers?: Peers;
}

export async function startServer(config: ServerConfig, print: (line: string) => void = console.log, opts: StartOptions = {}): Promise<Running> {
  const logger = pino({ level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] });
  const store = await openConfiguredStore(config);
  const worker = opts.peers !== undefined;
  const boot: Bootstrap = worker ? {} : await prepareDatabase(store, config, logger);
  const lti = ltiTool(store, { baseUrl: config.baseUrl, logger });
  const { app } = createApp({
    store,
    logger,
    rateLimitPerMinute: config.rateLimitPerMinute,
    authFailuresPerMinute: config.authFailuresPerMinute,
    baseUrl: config.baseUrl,
    listenHost: config.host,
    allowedHosts: config.allowedHosts,
    extraRoutes: lti.routes,
    onAttempt: lti.onAttempt,
    onRelease: lti.onRelease,
    ...(opts.peers ? { peers: opts.peers } : {}),
  });
  // In a cluster only the worker given the model slot runs one (src/cluster.ts).
  const modelSlot = !worker || process.env.STEPWISE_MODEL_SLOT === '1';
  const models = config.modelWorker === 'local' && modelSlot ? modelWorker(store, { logger }) : undefined;
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Without HOST, Node listens on every interface (IPv6 and IPv4), as before.
    if (config.host === undefined) server.listen(config.port, () => resolve());
    else server.listen(config.port, config.host, () => resolve());
  });
  // Grade passback posts from the outbox in the background (every process claims its share).
  lti.outbox.start();
  models?.start();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.baseUrl ?? listenUrl(config.host, port);
  if (!worker) {
    print(listeningLine(config.host, port, config.baseUrl, describeTarget(storeTarget(config))));
    for (const line of bootstrapLines(boot)) print(line);
  }
  // Graceful stop. server.close() stops accepting, but it also closes connections Node deems idle,
  // and a response that has ended but is still being written to a slow client counts as idle —
  // its tail would be lost. So idle connections are closed only once every in-flight response has
  // finished; meanwhile replies carry Connection: close so keep-alive clients go away.
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  server.on('request', (_req, res: ServerResponse) => {
    if (draining) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  const closeIdle = server.closeIdleConnections.bind(server);
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      draining = true;
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      server.closeIdleConnections = () => undefined; // close() would call it now; we call it below
      server.close(() => {
        clearTimeout(force);
        // Posts in hand finish (or their lease lets another process take them), then the database closes.
        void Promise.all([lti.outbox.stop(), models?.stop()])
          .then(() => store.close())
          .then(resolve);
      });
      const settle = (): void => {
        if (inFlight.size > 0) {
          setTimeout(settle, 10);
          return;
        }
        closeIdle();
      };
      settle();
    });
    return stopping;
  };
  return { server, store, logger, url, stop };
}

/** Where the configuration points: PostgreSQL when STEPWISE_DATABASE_URL is set, else the SQLite file. */
export function storeTarget(config: ServerConfig): StoreTarget {
  return config.databaseUrl !== undefined ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'sqlite', file: config.dbFile, synchronous: config.synchronous };
}

/** The store the configuration names, opened and migrated. */
export function openConfiguredStore(config: ServerConfig): Promise<OpenedStore> {
  return openStoreAt(storeTarget(config), config.secret !== undefined ? { secret: config.secret } : {});
}

/**
 * Once per server (by the cluster's first process, or the one process): warns when the tool key is
 * stored unencrypted, and installs or makes the first instructor key.
 */
export async function prepareDatabase(store: OpenedStore, config: ServerConfig, logger: Logger): Promise<Bootstrap> {
  if (store.atRest.plaintext > 0) {
    // Sealing under the secret kept in the same database would add nothing: say so instead.
    logger.warn('STEPWISE_SECRET is not set: the LTI tool private key is stored unencrypted in the database (set it to encrypt at rest)');
  }
  return bootstrapInstructor(store, config.bootstrapKey);
}

/** What to tell the operator after the first key's bootstrap. */
export function bootstrapLines(boot: Bootstrap): string[] {
  const out: string[] = [];
  if (boot.revokedBootstrapKey) {
    out.push(`STEPWISE_BOOTSTRAP_KEY is a key that was revoked (${boot.revokedBootstrapKey}); it stays revoked and was not reinstalled. Unset it, or set a new key.`);
  }
  if (boot.created) out.push(`First-run instructor API key (shown once; only its hash is stored):\n\n    ${boot.created}\n`);
  return out;
}

/** The URL to print for a listen address: localhost for every interface, else the address itself. */
const everyInterface = (host: string | undefined): boolean => host === undefined || host === '0.0.0.0' || host === '::';

/**
 * The start line. Listening on every interface is said outright: "listening on http://localhost"
 * alone reads as this machine only, and a LAN can reach the server.
 */
export function listeningLine(host: string | undefined, port: number, baseUrl: string | undefined, database: string): string {
  const where = everyInterface(host)
    ? `every interface, port ${port}: ${baseUrl ?? `${listenUrl(host, port)} from this machine (HOST=127.0.0.1 serves this machine only)`}`
    : (baseUrl ?? listenUrl(host, port));
  return `Stepwise API listening on ${where} (database ${database})`;
}

function listenUrl(host: string | undefined, port: number): string {
  if (host === undefined || host === '0.0.0.0' || host === '::') return `http://localhost:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** `stepwise serve`: start (one process, or a cluster's primary or worker), and stop cleanly on SIGINT / SIGTERM. */
export async function serve(): Promise<void> {
  const config = configFromEnv();
  const cluster = (await import('node:cluster')).default;
  if (config.workers > 1 && cluster.isPrimary) {
    const { servePrimary } = await import('./cluster.js');
    await servePrimary(config);
    return;
  }
  const peers = cluster.isWorker ? (await import('./cluster.js')).workerPeers() : undefined;
  const running = await startServer(config, console.log, peers ? { peers } : {});
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      running.logger.info({ signal }, 'shutting down: finishing in-flight requests');
      void running.stop().then(() => process.exit(0));
    });
  }
}
