/**
 * The `postgres` test project's global setup: one private PostgreSQL cluster for the whole run
 * (bench/pg-cluster.ts), whose URL the API and LTI harnesses read from STEPWISE_TEST_PG_URL to put
 * every test on a fresh database of it. Stopped and removed at the end.
 */
import { startPgServer } from '../bench/pg-cluster.js';

export default async function setup(): Promise<() => void> {
  const server = await startPgServer();
  if (!server) throw new Error("the postgres test project needs Debian's postgresql (apt-get install postgresql)");
  process.env.STEPWISE_TEST_PG_URL = server.url;
  return () => server.stop();
}
