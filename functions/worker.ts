import { app, type InvocationContext } from '@azure/functions';
import { tracedQueue } from './lib/telemetry';
import { observeWork } from './lib/observe';

/** Queue trigger on "contain-work": runs approved actions. A throw makes the host redeliver (poison after 5). */
export const worker = tracedQueue('worker', async (message: unknown, _context: InvocationContext) => {
  const { runWorkMessage } = await import('../bot/worker');
  await runWorkMessage(message);
  await observeWork(message);
});

app.storageQueue('worker', { queueName: 'contain-work', connection: 'AzureWebJobsStorage', handler: worker });
