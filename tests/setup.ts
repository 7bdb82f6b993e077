/**
 * Property tests run from a fixed seed so a CI run is reproducible; FC_SEED=<n> explores from
 * another seed, FC_SEED=random from a fresh one each run, and FC_RUNS raises the number of cases.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED;
fc.configureGlobal({
  ...(seed === 'random' ? {} : { seed: seed === undefined ? 20261126 : Number(seed) }),
  ...(process.env.FC_RUNS ? { numRuns: Number(process.env.FC_RUNS) } : {}),
});
