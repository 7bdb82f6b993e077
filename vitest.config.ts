import { defineConfig } from 'vitest/config';
import { pgInstalled } from './bench/pg-cluster.js';

/**
 * Two projects: `sqlite`, every test; `postgres`, the suites that go through the API and LTI
 * harnesses, again on a real PostgreSQL (tests/pg-global.ts) — the same HTTP behaviour on the
 * other store. Tests that start their own server processes or browsers, or their own cluster, run
 * once, in `sqlite`. Without Debian's postgresql the second project is left out (CI installs it,
 * and its storage contract tests fail without it).
 */
const POSTGRES_SUITES = ['tests/api/**/*.test.ts', 'tests/lti/**/*.test.ts', 'tests/pages/**/*.test.ts', 'tests/results/**/*.test.ts', 'tests/stats/**/*.test.ts', 'tests/exam-secrecy.test.ts', 'tests/exam-results.test.ts', 'tests/practice.test.ts'];
const ONCE = ['**/*browser*.test.ts', '**/chromium.test.ts', 'tests/api/workers.test.ts', 'tests/api/server.test.ts', 'tests/api/restart.test.ts', 'tests/api/pg-nodes.test.ts', 'tests/lti/outbox-pg.test.ts', 'tests/lti/passback-kill.test.ts', 'tests/pages/stored-artefacts.test.ts', 'tests/results/cli.test.ts', 'tests/stats/cli.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['tests/setup.ts'],
    testTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['tests/**/*.test.ts'] } },
      ...(pgInstalled() ? [{ extends: true, test: { name: 'postgres', include: POSTGRES_SUITES, exclude: ONCE, globalSetup: ['tests/pg-global.ts'] } }] : []),
    ],
  },
});
