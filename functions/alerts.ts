import { app, type InvocationContext, type Timer } from '@azure/functions';
import type { AlertRequestHandler } from '../src/alerts/run';
import { tracedTimer } from './lib/telemetry';

/**
 * Where each alert-opened incident request goes: queued for the worker, which opens the incident in the incident
 * channel with requester "alert" (bot/alerts.ts).
 */
const onAlertRequest: AlertRequestHandler = async (ctx, request) => (await import('../bot/alerts')).enqueueAlertRequest(ctx, request);

/** Every minute: poll Entra ID Protection and Defender XDR for compromised accounts (off with CONTAIN_ALERT_POLL_SECONDS=0). */
export const alerts = tracedTimer('alerts', async (_timer: Timer, _context: InvocationContext) => {
  const [{ getContext }, { runAlertPoll }] = await Promise.all([import('../src/runtime'), import('../src/alerts/run')]);
  const ctx = await getContext();
  if (ctx.config.alerts.pollMs > 0) await runAlertPoll(ctx, onAlertRequest);
});

app.timer('alerts', { schedule: '0 */1 * * * *', runOnStartup: false, handler: alerts });
