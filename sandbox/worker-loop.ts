import { InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { worker } from '../functions/worker';
import { getContext } from '../src/runtime';
import type { ContainContext } from '../src/context';
import { StorageWorkQueue, type ReceivedMessage } from '../src/store/queue-storage';
import type { Logger } from '../src/log';

export interface WorkerLoopOptions {
  pollMs: number;
  log: Logger;
  maxDequeueCount?: number;
  batchSize?: number;
  newBatchThreshold?: number;
  /** How long a received message stays hidden; renewed at half that while it is being worked on, as the host does. */
  visibilitySeconds?: number;
}

/** A queue message as the Functions host hands it to the function: base64 decoded (host.json), then JSON parsed when it is JSON. */
export function asHostDelivers(raw: string): unknown {
  const text = Buffer.from(raw, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return raw;
  }
}

/**
 * The Functions host's queue trigger, for local runs: receive up to `batchSize` messages, fetch more as soon as fewer
 * than `newBatchThreshold` are in flight (as the host does, so one slow message never holds up the rest), keep each
 * message hidden while its invocation runs, invoke the real worker function, then delete the message or make it
 * visible again after a growing delay. A worker that dies stops renewing: its messages reappear after the timeout.
 */
export function startWorkerLoop(options: WorkerLoopOptions) {
  const batchSize = options.batchSize ?? 16;
  const threshold = options.newBatchThreshold ?? batchSize / 2;
  let stopped = false;
  let inFlight = 0;
  let lastEmpty = false;
  const waiters: (() => void)[] = [];
  const running = new Set<Promise<void>>();
  /** The host's trigger reads Queue Storage itself: the context's queue must be that queue. */
  const queueOf = (ctx: ContainContext): StorageWorkQueue => {
    if (!(ctx.queue instanceof StorageWorkQueue)) throw new Error('the worker loop needs the Queue Storage work queue');
    return ctx.queue;
  };
  const handle = async (m: ReceivedMessage, ctx: ContainContext, visibility: number) => {
    const queue = queueOf(ctx);
    const invocation = new InvocationContext({ invocationId: randomUUID(), functionName: 'worker', logHandler: () => undefined });
    let receipt = m.popReceipt;
    const renew = setInterval(
      () => {
        void queue.client
          .updateMessage(m.messageId, receipt, undefined, visibility)
          .then((r) => void (receipt = r.popReceipt ?? receipt))
          .catch(() => undefined);
      },
      (visibility * 1000) / 2,
    );
    try {
      await worker(asHostDelivers(m.raw), invocation);
      clearInterval(renew);
      await queue.delete({ messageId: m.messageId, popReceipt: receipt });
    } catch (err) {
      clearInterval(renew);
      if (m.dequeueCount >= (options.maxDequeueCount ?? 5)) {
        options.log.error('work message moved to poison queue', { messageId: m.messageId, err });
        const { QueueClient } = await import('@azure/storage-queue');
        const pq = new QueueClient(ctx.config.storage.connectionString, queue.name + '-poison');
        await pq.createIfNotExists();
        await pq.sendMessage(m.raw);
        await queue.delete({ messageId: m.messageId, popReceipt: receipt });
      } else {
        await queue.ensure();
        await queue.client.updateMessage(m.messageId, receipt, undefined, Math.min(2 ** m.dequeueCount, 30)).catch(() => undefined);
      }
    }
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        if (inFlight > threshold) {
          await Promise.race([...running, new Promise((r) => setTimeout(r, options.pollMs))]);
          continue;
        }
        const ctx = await getContext();
        const visibility = options.visibilitySeconds ?? ctx.config.local.queueVisibilitySeconds;
        const msgs = await queueOf(ctx).receive(batchSize - inFlight, visibility);
        lastEmpty = msgs.length === 0;
        if (lastEmpty) {
          if (inFlight === 0) while (waiters.length) waiters.shift()!();
          await new Promise((r) => setTimeout(r, options.pollMs));
          continue;
        }
        for (const m of msgs) {
          inFlight++;
          const p: Promise<void> = handle(m, ctx, visibility).finally(() => {
            inFlight--;
            running.delete(p);
          });
          running.add(p);
        }
      } catch (err) {
        if (!stopped) options.log.warn('worker loop error', { err });
        await new Promise((r) => setTimeout(r, options.pollMs * 5));
      }
    }
    await Promise.allSettled([...running]);
  })();
  return {
    idle: () => new Promise<void>((resolve) => (lastEmpty && inFlight === 0 ? resolve() : waiters.push(resolve))),
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
