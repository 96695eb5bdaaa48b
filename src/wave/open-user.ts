import type { ContainContext } from '../context';
import { ContainError, toContainError } from '../errors';
import { openContainment } from '../incidents/open-containment';
import { openOnce } from '../incidents/open-once';
import { priorGrant } from '../incidents/policy';
import { COMMAND_ROLES } from '../incidents/roles';
import { ConcurrencyError } from '../store/incident-store';
import type { Campaign, UserStatus, WaveUser } from './campaign';

const SCOPE = 'wave-incident';
/** An opener silent this long is presumed dead (discovery waits on the report budget behind the rest of the wave). */
const OPEN_STALE_MS = 10 * 60_000;
/** Why a user of the wave gets no incident: said on the campaign card, not retried. */
const REFUSED = new Set(['USER_PROTECTED', 'USER_NOT_FOUND', 'USER_AMBIGUOUS']);

/**
 * Open wave user `index`'s own incident, linked to the campaign, with the same discovery, per-step analysis and
 * proposed actions as `contain` (requester: whoever ran scope), then approve its actions with the wave's one approval
 * and queue them for the engine (snapshot first, exactly once, read back). Once per user across slices, workers and
 * crashes (src/incidents/open-once.ts); 'busy' while another worker is at it. A user with an open incident of their
 * own already gets no second one: the wave follows that incident (whoever opened it decides its actions).
 */
export async function containUser(ctx: ContainContext, c: Campaign, index: number, user: WaveUser): Promise<UserStatus | 'busy'> {
  // Someone contained this user already (a `contain` typed meanwhile, an alert): the wave follows that incident.
  const elsewhere =
    user.userId &&
    (await ctx.store.findIncidents({ targetUserId: user.userId })).find(
      // A dry run changes nothing and a posture record contains nobody: neither is an incident the wave can follow.
      (i) => i.state !== 'closed' && !i.dryRun && i.kind !== 'posture' && i.facts.campaign?.id !== c.id,
    );
  if (elsewhere) return { state: 'running', incidentId: elsewhere.id };
  const open = async (id: string) => {
    if (!(await ctx.store.getIncident(id))) {
      try {
        const r = await openContainment(ctx, {
          query: user.userId ? { kind: 'id', value: user.userId } : { kind: 'email', value: user.upn },
          requester: priorGrant(c.requester, COMMAND_ROLES.contain),
          dryRun: false,
          threads: {},
          incidentId: id,
          origin: { campaign: { id: c.id, index } },
        });
        if (r.kind === 'chooser') throw new ContainError('USER_AMBIGUOUS', `Several users match ${user.upn}.`);
      } catch (err) {
        if (!(await ctx.store.getIncident(id))) throw err; // else another opener of this reservation was first
      }
    }
    await approveForWave(ctx, id, c);
  };
  const done = async (id: string) =>
    !!(await ctx.store.getIncident(id)) && (await ctx.store.listActions(id)).every((a) => a.state !== 'proposed');
  try {
    const r = await openOnce(ctx, SCOPE, `${c.id}:${index}`, OPEN_STALE_MS, open, done);
    return r === 'busy' ? 'busy' : { state: 'running', incidentId: r.incidentId };
  } catch (err) {
    const e = toContainError(err);
    if (REFUSED.has(e.code)) return { state: 'refused', note: e.userMessage };
    throw err;
  }
}

/**
 * Approve every proposed action of a wave incident with the wave's approval (who approved the set, when, and the
 * campaign as the justification, in each action's decision and the audit trail), then queue them as one unit.
 */
async function approveForWave(ctx: ContainContext, incidentId: string, c: Campaign): Promise<void> {
  const by = c.decision!.by;
  const at = ctx.now().toISOString();
  const justification = `phishing wave ${c.id}`;
  for (const a of (await ctx.store.listActions(incidentId)).filter((x) => x.state === 'proposed')) {
    try {
      await ctx.store.updateAction({ ...a, state: 'approved', decision: { verb: 'approve', by, at, justification } });
    } catch (err) {
      if (err instanceof ConcurrencyError) continue; // decided meanwhile (another slice, a person on the card)
      throw err;
    }
    await ctx.store.appendAudit(incidentId, {
      at,
      event: 'action.approved',
      actor: by,
      actionId: a.id,
      details: { title: a.title, justification, campaign: c.id },
    });
  }
  const ready = (await ctx.store.listActions(incidentId)).filter((a) => a.state === 'approved').map((a) => a.id);
  if (ready.length) await ctx.queue.send({ type: 'execute', incidentId, actionIds: ready.slice(0, 100), key: `${incidentId}/wave` });
}
