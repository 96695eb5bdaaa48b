import { app, type InvocationContext, type Timer } from '@azure/functions';

/** Every minute: expire approvals nobody decided (cards say so) and re-queue actions whose worker died. */
export async function sweeper(_timer: Timer, _context: InvocationContext): Promise<void> {
  const { runSweep } = await import('../bot/worker');
  await runSweep();
}

app.timer('sweeper', { schedule: '0 */1 * * * *', runOnStartup: false, handler: sweeper });
