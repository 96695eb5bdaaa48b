import { app, type InvocationContext } from '@azure/functions';

/** Queue trigger on "contain-work": runs approved actions. A throw makes the host redeliver (poison after 5). */
export async function worker(message: unknown, _context: InvocationContext): Promise<void> {
  const { runWorkMessage } = await import('../bot/worker');
  await runWorkMessage(message);
}

app.storageQueue('worker', { queueName: 'contain-work', connection: 'AzureWebJobsStorage', handler: worker });
