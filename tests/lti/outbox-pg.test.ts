/**
 * Grade passback on PostgreSQL with two nodes' workers on one database (issue 11's fault test): the
 * simulated LMS refuses every score for 30 s, then takes them; every pending score arrives, once
 * each, although two outbox workers poll the same jobs (claims with FOR UPDATE SKIP LOCKED under a
 * lease) and retry with backoff. Real PostgreSQL (tests/pg-server.ts), a real LMS on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ltiTool } from '../../src/lti/index.js';
import { PgStore } from '../../src/store/pg/index.js';
import { freshDatabase, pgInstalled, pgRequiredOnCi, startPgServer, type PgServer } from '../pg-server.js';
import { startLti, type LtiHarness } from './harness.js';

pgRequiredOnCi();

let server: PgServer | undefined;
let h: LtiHarness | undefined;
let other: PgStore | undefined;

beforeAll(async () => {
  server = await startPgServer();
}, 60_000);

afterAll(async () => {
  await h?.close();
  await other?.close();
  server?.stop();
});

const OUTAGE_MS = Number(process.env.OUTAGE_MS ?? 30_000);

describe.skipIf(!pgInstalled())('passback on PostgreSQL, two nodes’ workers', () => {
  it('the LMS down for 30 s, then up: every pending score arrives, once each', async () => {
    const url = await freshDatabase(server!.url);
    const outbox = { baseDelayMs: 1_000, maxDelayMs: 8_000, pollMs: 100 };
    h = await startLti({ store: () => PgStore.open({ url, max: 4 }), outbox, manualPassback: true });
    // Node B: its own pool and its own outbox worker over the same jobs.
    other = await PgStore.open({ url, max: 4 });
    const b = ltiTool(other, { baseUrl: h.url, outbox });
    h.lti.outbox.start();
    b.outbox.start();
    try {
      h.platform.scoreStatus = 503;
      const down = Date.now();
      const students = ['pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e', 'pg-f'];
      for (const sub of students) {
        const r = await h.launch({ claims: (c) => ({ ...c, sub }) });
        expect(r.status, r.text).toBe(200);
        const res = await fetch(`${h.url}/api/v1/variants/${r.body.variantId}/attempts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${r.body.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ answers: {} }),
        });
        expect(res.status).toBe(201);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - down))));
      const refused = h.platform.scores.filter((s) => s.status === 503).length;
      expect(refused).toBeGreaterThanOrEqual(students.length * 3); // retried through the outage
      h.platform.scoreStatus = 204;
      const end = Date.now() + 30_000;
      while ((await h.store.passback.list('pending', 50)).length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(await h.store.passback.list('pending', 50)).toEqual([]);
      const taken = h.platform.scores.filter((s) => s.status === 204).map((s) => s.body.userId as string);
      expect(taken.sort()).toEqual([...students].sort());
    } finally {
      await b.outbox.stop();
    }
  }, 120_000);
});
