import type { ContainContext } from '../context';
import { keepDoctor } from './latest';
import { runDoctor } from './run';

/**
 * In azure mode, at start-up: run doctor against the tenant, log the result (a warning naming each failing check and
 * its fix) and keep it for the containment card. Never throws: a failure is logged and start-up goes on.
 */
export async function doctorAtStartup(ctx: ContainContext): Promise<void> {
  if (ctx.config.mode !== 'azure') return;
  try {
    const result = await runDoctor(ctx);
    const failing = result.checks.filter((c) => !c.ok && !c.optional);
    if (failing.length)
      ctx.log.warn('contain doctor: checks fail', {
        appId: result.appId,
        failing: failing.map(({ id, needs, fix }) => ({ id, needs, fix })),
      });
    else ctx.log.info('contain doctor: all checks pass', { appId: result.appId, checks: result.checks.length });
    await keepDoctor(ctx, result).catch((err: unknown) => ctx.log.warn('could not keep the doctor result', { err }));
  } catch (err) {
    ctx.log.error('contain doctor could not run at start-up', { err });
  }
}
