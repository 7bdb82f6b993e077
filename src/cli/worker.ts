/**
 * `stepwise worker [--labs gan,clip,tvlt]`: a model worker on its own (src/model-worker.ts), on the
 * database STEPWISE_DB names (the same file as the servers'), until SIGINT or SIGTERM. Run it on
 * the GPU machine, with the servers started with STEPWISE_MODEL_WORKER=external.
 */
import type { Command } from 'commander';
import { pino } from 'pino';
import { action } from './action.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('compute artefact questions (model runs) queued by the servers: claims jobs from the database STEPWISE_DB names')
    .option('--labs <names>', 'the labs to take jobs for, comma-separated: gan, clip, tvlt (default all)')
    .action(
      action(async (opts: { labs?: string }) => {
        const { parseLabs, modelWorker } = await import('../model-worker.js');
        const { dbFileFromEnv } = await import('../store/sqlite/db.js');
        const { SqliteStore } = await import('../store/sqlite/index.js');
        const labs = parseLabs(opts.labs);
        const file = dbFileFromEnv();
        const store = SqliteStore.open({ file, secret: process.env.STEPWISE_SECRET || undefined });
        const logger = pino({ level: process.env.STEPWISE_LOG_LEVEL ?? 'info' });
        const worker = modelWorker(store, { labs, logger });
        worker.start();
        console.log(`Model worker for ${labs.join(', ')} on ${file}: waiting for jobs (Ctrl-C stops it)`);
        await new Promise<void>((resolve) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
        });
        await worker.stop();
        await store.close();
      }),
    );
}
