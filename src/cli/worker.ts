/**
 * `stepwise worker [--labs gan,clip,tvlt]`: a model worker on its own (src/model-worker.ts), on the
 * servers' database (STEPWISE_DATABASE_URL, else the file STEPWISE_DB names), until SIGINT or SIGTERM. Run it on
 * the GPU machine, with the servers started with STEPWISE_MODEL_WORKER=external.
 */
import type { Command } from 'commander';
import { pino } from 'pino';
import { action } from './action.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('compute artefact questions (model runs) queued by the servers: claims jobs from the servers\' database (STEPWISE_DATABASE_URL, else STEPWISE_DB)')
    .option('--labs <names>', 'the labs to take jobs for, comma-separated: gan, clip, tvlt (default all)')
    .action(
      action(async (opts: { labs?: string }) => {
        const { parseLabs, modelWorker } = await import('../model-worker.js');
        const { describeTarget, openStore, storeTargetFromEnv } = await import('../store/open.js');
        const labs = parseLabs(opts.labs);
        const where = describeTarget(storeTargetFromEnv());
        const store = await openStore();
        const logger = pino({ level: process.env.STEPWISE_LOG_LEVEL ?? 'info' });
        const worker = modelWorker(store, { labs, logger });
        worker.start();
        console.log(`Model worker for ${labs.join(', ')} on ${where}: waiting for jobs (Ctrl-C stops it)`);
        await new Promise<void>((resolve) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
        });
        await worker.stop();
        await store.close();
      }),
    );
}
