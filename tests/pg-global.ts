/**
 * The `postgres` test project's global setup: one private PostgreSQL cluster for the whole run
 * (bench/pg-cluster.ts), whose URL the API and LTI harnesses `inject('pgUrl')` to put every test on a
 * fresh database of it. Provided to this project only (an environment variable would reach the
 * `sqlite` project's workers too). Stopped and removed at the end.
 */
import type { TestProject } from 'vitest/node';
import { startPgServer } from '../bench/pg-cluster.js';

export default async function setup(project: TestProject): Promise<() => void> {
  const server = await startPgServer();
  if (!server) throw new Error("the postgres test project needs Debian's postgresql (apt-get install postgresql)");
  project.provide('pgUrl', server.url);
  return () => server.stop();
}
