/**
 * Running a lab: the config (a run's defaults with the caller's overrides) is validated, the run is
 * looked up in the artefact cache by (lab, run, config, seed, backend, lab code) and trained only on a miss;
 * its artefacts and metrics are written to the cache and, on request, copied to an output folder.
 * The runner checks that a run leaves no tensor behind.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StepwiseError } from '../core/errors.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { checkSeed } from '../generators/generate.js';
import { Rng } from '../generators/rng.js';
import { ajvError, schemaHash, validatorFor } from '../solvers/params.js';
import { sha1 } from '../core/precompiled.js';
import type { Lab } from './lab.js';
import { getLab } from './labs.js';
import { tensorflow } from './runtime.js';

/** Bumped when the cache layout changes. Code changes need no bump: see codeHash. */
export const CACHE_VERSION = 1;

const HERE = dirname(fileURLToPath(import.meta.url));
const codeHashes = new Map<string, string>();

/**
 * A hash of the code a lab's runs depend on — its own folder, the shared layers, optimiser, plots and
 * reads, and the CPU kernels that replace tfjs's (registered or called directly) — so a changed lab
 * never serves artefacts cached from its old code.
 */
function codeHash(labId: string): string {
  let h = codeHashes.get(labId);
  if (!h) {
    const ext = extname(fileURLToPath(import.meta.url)); // .ts from the sources, .js when built
    const files = [
      ...readdirSync(join(HERE, labId)).filter((f) => f.endsWith(ext)).sort().map((f) => join(HERE, labId, f)),
      join(HERE, `nn${ext}`),
      join(HERE, `plots${ext}`),
      join(HERE, `optim${ext}`),
      join(HERE, `read${ext}`),
      join(HERE, `kernels${ext}`),
      join(HERE, `wasm-simd${ext}`),
      join(HERE, `direct-kernels${ext}`),
      join(HERE, `direct-mlp${ext}`),
    ].filter((f) => existsSync(f));
    h = sha1(files.map((f) => readFileSync(f, 'utf8')).join('\0'));
    codeHashes.set(labId, h);
  }
  return h;
}

export interface RunManifest {
  lab: string;
  run: string;
  seed: number;
  backend: string;
  config: object;
  metrics: Record<string, unknown>;
  files: { file: string; caption: string }[];
  seconds: number;
  createdAt: string;
}

export interface RunOutcome {
  manifest: RunManifest;
  /** The cache folder holding the files. */
  dir: string;
  cached: boolean;
}

export interface RunRequest {
  /** A lab id from the registry (or, in tests, a lab itself). */
  lab: string | Lab;
  run?: string;
  seed?: number;
  /** Overrides merged onto the run's defaults. */
  config?: Record<string, unknown>;
  progress?: (done: number, total: number) => void;
  /** Copy the artefacts and metrics.json here. */
  out?: string;
}

export function cacheRoot(): string {
  return process.env.STEPWISE_CACHE ?? join(PACKAGE_ROOT, '.stepwise-cache', 'artefacts');
}

/** The run's name and full config, checked. */
export function resolveRun(lab: Lab, run: string | undefined, overrides: Record<string, unknown> = {}): { run: string; config: object } {
  const name = run ?? Object.keys(lab.runs)[0];
  const spec = lab.runs[name];
  if (!spec) throw new StepwiseError('invalid_request', `lab ${lab.id} has no run "${name}"; runs: ${Object.keys(lab.runs).join(', ')}`, 'run');
  const config = { ...spec.defaults, ...overrides };
  // Keyed by the schema too: two labs (or a test's toy lab) with one id never share a validator.
  const validate = validatorFor(`lab:${lab.id}:${schemaHash(lab.configSchema)}`, lab.configSchema);
  if (!validate(config)) throw ajvError(validate.errors?.[0], 'invalid_request', 'config');
  lab.checkConfig?.(config, name);
  return { run: name, config };
}

/** A run's cache folder: keyed by everything its artefacts depend on, the backend included. */
function cacheDir(lab: Lab, run: string, config: object, seed: number, backend: string): string {
  const key = sha1(JSON.stringify({ v: CACHE_VERSION, code: codeHash(lab.id), lab: lab.id, run, config, seed, backend }));
  return join(cacheRoot(), `${lab.id}-${run}-${seed}-${key.slice(0, 12)}`);
}

function readCached(dir: string): RunOutcome | undefined {
  const manifestFile = join(dir, 'metrics.json');
  return existsSync(manifestFile) ? { manifest: JSON.parse(readFileSync(manifestFile, 'utf8')) as RunManifest, dir, cached: true } : undefined;
}

/**
 * The run as cached for that backend, or undefined: never trains and never loads TensorFlow.js, so
 * bounded work (a batch line, an HTTP request) can use what `stepwise artefacts warm` computed.
 */
export function cachedRun(req: Omit<RunRequest, 'progress' | 'out'>, backend: string): RunOutcome | undefined {
  return readCached(runCacheDir(req, backend));
}

/** The cache folder a run has (or would have) when run on that backend. */
export function runCacheDir(req: Omit<RunRequest, 'progress' | 'out'>, backend: string): string {
  const lab = typeof req.lab === 'string' ? getLab(req.lab) : req.lab;
  const { run, config } = resolveRun(lab, req.run, req.config);
  return cacheDir(lab, run, config, checkSeed(req.seed ?? 1), backend);
}

export async function runLab(req: RunRequest): Promise<RunOutcome> {
  const lab = typeof req.lab === 'string' ? getLab(req.lab) : req.lab;
  const seed = checkSeed(req.seed ?? 1);
  const { run, config } = resolveRun(lab, req.run, req.config);
  const { tf, report } = await tensorflow();
  const dir = cacheDir(lab, run, config, seed, report.backend);
  let outcome = readCached(dir);
  if (!outcome) {
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    const result = await lab.run(run, config, { tf, seed, rng: new Rng(seed), progress: req.progress ?? (() => undefined) });
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) throw new StepwiseError('internal', `lab ${lab.id} run ${run} left ${leaked} tensors behind`);
    const manifest: RunManifest = {
      lab: lab.id,
      run,
      seed,
      backend: report.backend,
      config,
      metrics: result.metrics,
      files: result.artefacts.map((a) => ({ file: a.file, caption: a.caption })),
      seconds: +((performance.now() - t0) / 1000).toFixed(2),
      createdAt: new Date().toISOString(),
    };
    // Written to a temporary folder and renamed, so a crash never leaves a half-filled entry.
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const a of result.artefacts) writeFileSync(join(tmp, a.file), a.content);
    writeFileSync(join(tmp, 'metrics.json'), JSON.stringify(manifest, null, 2));
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    outcome = { manifest, dir, cached: false };
  }
  if (req.out) {
    mkdirSync(req.out, { recursive: true });
    for (const f of [...outcome.manifest.files.map((x) => x.file), 'metrics.json']) copyFileSync(join(dir, f), join(req.out, f));
  }
  return outcome;
}
