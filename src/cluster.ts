/**
 * Several server processes on one machine (STEPWISE_WORKERS > 1). node:cluster's primary prepares
 * the database once (migrations, the stored secret, the first instructor key), then forks the
 * workers; they share the listening port (the primary deals connections out round-robin) and the
 * SQLite file (WAL: readers never wait; writers take turns on SQLite's lock, busy_timeout 5 s).
 *
 * Nothing a request needs lives in one worker only: sessions, variants, attempts, exams and LTI
 * states are in the database; key lookups are cached for 1 s (src/store/cached-keys.ts); the rate
 * limits count in the primary (@express-rate-limit/cluster-memory-store) and failed
 * authentications are relayed to every worker, so a limit holds for the whole server. One worker
 * runs the model worker (STEPWISE_MODEL_WORKER=local). A worker that dies is replaced; one that
 * keeps dying at start stops the server with its exit code.
 *
 * Like src/server.ts this sits above the edges: src/api only sees the Peers interface.
 */
import cluster, { type Worker } from 'node:cluster';
import { ClusterMemoryStorePrimary, ClusterMemoryStoreWorker } from '@express-rate-limit/cluster-memory-store';
import { pino } from 'pino';
import type { Peers } from './api/peers.js';
import { bootstrapLines, listeningLine, openConfiguredStore, prepareDatabase, storeTarget, type ServerConfig } from './server.js';
import { describeTarget } from './store/open.js';

/** Deaths within START_GRACE_MS of a start, in a row, after which the server gives up. */
const QUICK_DEATHS = 5;
const START_GRACE_MS = 5_000;

interface RelayMessage {
  stepwise: 'relay';
  channel: string;
  address: string;
}

const isRelay = (m: unknown): m is RelayMessage =>
  typeof m === 'object' && m !== null && (m as RelayMessage).stepwise === 'relay' && typeof (m as RelayMessage).channel === 'string' && typeof (m as RelayMessage).address === 'string';

/** A worker's view of its siblings: rate-limit counts kept by the primary, failures relayed through it. */
export function workerPeers(): Peers {
  const hearers = new Map<string, (address: string) => void>();
  process.on('message', (m: unknown) => {
    if (isRelay(m)) hearers.get(m.channel)?.(m.address);
  });
  return {
    rateLimitStore: (prefix) => new ClusterMemoryStoreWorker({ prefix }),
    relay(channel, hear) {
      hearers.set(channel, hear);
      return (address) => process.send?.({ stepwise: 'relay', channel, address } satisfies RelayMessage);
    },
  };
}

/** The primary: prepares the database, forks and keeps `config.workers` workers, stops them on a signal. */
export async function servePrimary(config: ServerConfig, print: (line: string) => void = console.log): Promise<void> {
  const logger = pino({ level: config.logLevel });
  // Migrations and the first key once, here, so the workers never race to make them.
  const store = await openConfiguredStore(config);
  const boot = await prepareDatabase(store, config, logger).finally(() => store.close());

  new ClusterMemoryStorePrimary().init();
  cluster.on('message', (from: Worker, m: unknown) => {
    if (!isRelay(m)) return;
    for (const w of Object.values(cluster.workers ?? {})) if (w && w !== from) w.send(m);
  });

  let stopping = false;
  let quickDeaths = 0;
  const started = new Map<number, number>();
  // One worker (and its replacement) runs the model worker: two trainings at once would take the
  // cores the pages need. The others leave model jobs to it (or to `stepwise worker`).
  let modelSlot: number | undefined;
  const fork = (): void => {
    const slot = modelSlot === undefined;
    const w = cluster.fork({ STEPWISE_CLUSTER_WORKER: '1', STEPWISE_MODEL_SLOT: slot ? '1' : '0' });
    if (slot) modelSlot = w.id;
    started.set(w.id, Date.now());
  };
  let listening = 0;
  let port = config.port;
  const ready = new Promise<void>((resolve) => {
    cluster.on('listening', (_w, address) => {
      port = address.port;
      if (++listening === config.workers) resolve();
    });
  });
  cluster.on('exit', (w, code, signal) => {
    const lived = Date.now() - (started.get(w.id) ?? 0);
    started.delete(w.id);
    if (modelSlot === w.id) modelSlot = undefined;
    if (stopping) return;
    quickDeaths = lived < START_GRACE_MS ? quickDeaths + 1 : 0;
    logger.error({ worker: w.process.pid, code, signal }, 'a server worker died');
    if (quickDeaths >= QUICK_DEATHS) {
      logger.fatal(`server workers died ${QUICK_DEATHS} times in a row within ${START_GRACE_MS / 1000} s of starting; stopping`);
      stopping = true;
      for (const x of Object.values(cluster.workers ?? {})) x?.process.kill('SIGTERM');
      process.exitCode = typeof code === 'number' && code !== 0 ? code : 1;
      return;
    }
    fork();
  });
  for (let i = 0; i < config.workers; i++) fork();

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      logger.info({ signal }, 'shutting down: the workers finish their in-flight requests');
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      let left = alive.length;
      if (left === 0) process.exit(0);
      for (const w of alive) {
        w.once('exit', () => --left === 0 && process.exit(0));
        w.process.kill('SIGTERM');
      }
    });
  }
  await ready;
  print(`${listeningLine(config.host, port, config.baseUrl, describeTarget(storeTarget(config)))}, ${config.workers} worker processes`);
  for (const line of bootstrapLines(boot)) print(line);
}
