import type { ContainContext } from '../context';
import { doctorMarkdown } from './format';
import { runDoctor, type DoctorResult } from './run';

/** How long a doctor result stands for the tenant: roles and consents change rarely, but they do change. */
export const DOCTOR_TTL_MS = 60 * 60_000;
const ID = 'doctor-latest';

/** Keep this result as the tenant's latest (blob storage, next to the other full results). */
export async function keepDoctor(ctx: ContainContext, result: DoctorResult): Promise<void> {
  await ctx.results.put(ID, { json: JSON.stringify(result, null, 2), md: doctorMarkdown(result) });
}

/** The last result kept, however old (/api/health reports its age); undefined when doctor never ran. */
export async function keptDoctor(ctx: ContainContext): Promise<DoctorResult | undefined> {
  const file = await ctx.results.get(ID, 'json');
  return file ? (JSON.parse(file.body.toString('utf8')) as DoctorResult) : undefined;
}

/** The latest result if it is younger than the TTL; undefined when there is none, it expired, or storage fails. */
export async function latestDoctor(ctx: ContainContext): Promise<DoctorResult | undefined> {
  try {
    const result = await keptDoctor(ctx);
    if (!result) return undefined;
    return ctx.now().getTime() - Date.parse(result.at) < DOCTOR_TTL_MS ? result : undefined;
  } catch (err) {
    ctx.log.warn('could not read the latest doctor result', { err });
    return undefined;
  }
}

/**
 * What Contain's app can do right now, for a new incident's card: the latest result, or a fresh run (kept) when it
 * is missing or stale. Never fails the incident: without an answer the card simply marks nothing.
 */
export async function currentDoctor(ctx: ContainContext, options: { signal?: AbortSignal } = {}): Promise<DoctorResult | undefined> {
  const latest = await latestDoctor(ctx);
  if (latest) return latest;
  try {
    const fresh = await runDoctor(ctx, options);
    await keepDoctor(ctx, fresh).catch((err: unknown) => ctx.log.warn('could not keep the doctor result', { err }));
    return fresh;
  } catch (err) {
    ctx.log.warn('doctor could not run for the incident card', { err });
    return undefined;
  }
}
