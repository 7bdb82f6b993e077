/**
 * kill -9 during a load of attempt submissions (the built server, a real SQLite file): after a
 * restart every acknowledged attempt is stored with its steps and the database passes
 * PRAGMA integrity_check. `npm run test:crash` runs a longer version.
 */
import { expect, it } from 'vitest';
import { crashTest } from '../bench/crash.js';
import { pgInstalled } from './pg-server.js';

it('keeps every acknowledged attempt across a kill -9', async () => {
  const r = await crashTest(1200, 16);
  expect(r.acknowledged).toBeGreaterThan(20);
  expect(r.missing).toEqual([]);
  expect(r.attemptsWithoutSteps).toBe(0);
  expect(r.orphanSteps).toBe(0);
  expect(r.integrity).toBe('ok');
}, 90_000);

it('keeps every acknowledged attempt readable when one of two workers is killed -9 under load', async () => {
  const r = await crashTest(800, 16, 'worker');
  expect(r.acknowledged).toBeGreaterThan(20);
  expect(r.missing).toEqual([]);
  expect(r.unreadable).toEqual([]);
  expect(r.attemptsWithoutSteps).toBe(0);
  expect(r.orphanSteps).toBe(0);
  expect(r.integrity).toBe('ok');
}, 90_000);

it.skipIf(!pgInstalled())('keeps every acknowledged attempt readable through the other node when one of two API nodes on PostgreSQL is killed -9 under load', async () => {
  const r = await crashTest(800, 16, 'pg-node');
  expect(r.acknowledged).toBeGreaterThan(20);
  expect(r.missing).toEqual([]);
  expect(r.unreadable).toEqual([]);
  expect(r.attemptsWithoutSteps).toBe(0);
  expect(r.orphanSteps).toBe(0);
}, 120_000);
