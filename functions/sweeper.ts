import { app, type InvocationContext, type Timer } from '@azure/functions';
import { tracedTimer } from './lib/telemetry';
import { observeApprovalsWaiting } from './lib/observe';

/** Every minute: expire approvals nobody decided (cards say so) and re-queue actions whose worker died. */
export const sweeper = tracedTimer('sweeper', async (_timer: Timer, _context: InvocationContext) => {
  const { runSweep } = await import('../bot/worker');
  await runSweep();
  await observeApprovalsWaiting();
});

app.timer('sweeper', { schedule: '0 */1 * * * *', runOnStartup: false, handler: sweeper });
