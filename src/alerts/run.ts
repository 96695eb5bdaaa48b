import type { ContainContext } from '../context';
import { toContainError } from '../errors';
import { confirmAlertRequest, pollAlerts, type AlertIncidentRequest, type AlertPollResult } from './poll';

/**
 * What becomes of one alert-opened incident request. It must hand the request on durably (e.g. enqueue it) before it
 * resolves: once it does, the request is confirmed and not handed out again. If it throws, the request is handed out
 * again after REDELIVER_AFTER_MS under the same key.
 */
export type AlertRequestHandler = (ctx: ContainContext, request: AlertIncidentRequest) => Promise<void>;

/** Today's handler: say what would be opened. The chat wiring replaces it with "open the incident in the incident channel". */
export const logAlertRequest: AlertRequestHandler = async (ctx, r) => {
  ctx.log.info('alert: an incident would be opened', {
    key: r.key,
    userId: r.userId,
    userPrincipalName: r.userPrincipalName,
    signals: r.signals.map((s) => `${s.source}: ${s.title} (${s.severity})`),
  });
};

let running: Promise<AlertPollResult> | undefined;

/**
 * One poll, each request handed to `handle` and confirmed once handled. Polls do not overlap in a process (a timer
 * firing while one runs gets that one's result); across processes the poll's claims keep them apart.
 */
export function runAlertPoll(
  ctx: ContainContext,
  handle: AlertRequestHandler = logAlertRequest,
  options: { signal?: AbortSignal } = {},
): Promise<AlertPollResult> {
  running ??= (async () => {
    try {
      const result = await pollAlerts(ctx, options);
      for (const r of result.requests) {
        try {
          await handle(ctx, r);
          await confirmAlertRequest(ctx, r);
        } catch (err) {
          ctx.log.error('alert-opened incident request not handled; it is handed out again later', {
            key: r.key,
            err: toContainError(err).userMessage,
          });
        }
      }
      return result;
    } finally {
      running = undefined;
    }
  })();
  return running;
}
