import type { ContainContext } from '../context';
import { ConcurrencyError } from '../store/incident-store';
import { containmentView } from '../views/containment';
import type { ContainmentView, Tone } from '../views/types';
import { parseActionRef, type Action, type Actor, type Incident } from './model';
import { checkDecision, rolesOf, type DecisionOutcome } from './policy';

export interface DecideInput {
  ref: string;
  verb: 'approve' | 'reject';
  actor: Actor;
  justification?: string;
}

export type DecideResult =
  | { kind: 'not-found'; message: string }
  | {
      kind: 'decided';
      outcome: DecisionOutcome;
      incident: Incident;
      actions: Action[];
      /** For the clicker (carries a banner explaining the outcome). */
      view: ContainmentView;
      /** For everyone: set when the shared card changed. */
      shared?: ContainmentView;
      message: string;
    };

const hhmm = (iso: string) => `${iso.slice(11, 16)} UTC`;

function explain(o: DecisionOutcome, actor: Actor, action: Action): { tone: Tone; text: string } {
  switch (o.kind) {
    case 'approved':
      return { tone: 'good', text: `Approved by ${actor.name}. Running "${action.title}" now.` };
    case 'rejected':
      return { tone: 'warning', text: `Rejected by ${actor.name}. "${action.title}" will not run.` };
    case 'refused-four-eyes':
      return { tone: 'attention', text: 'You opened this incident, so you cannot approve its actions yourself. Another approver must approve (four-eyes rule).' };
    case 'refused-not-approver':
      return { tone: 'attention', text: 'Only members of the approvers group can decide containment actions. Ask an approver to look at this card.' };
    case 'refused-unidentified':
      return { tone: 'attention', text: 'Contain could not tell who you are in Entra ID, so it cannot accept your decision.' };
    case 'expired':
      return { tone: 'warning', text: `This approval expired at ${hhmm(action.expiresAt)}. Nothing was changed. Use "Propose again" to ask for a new decision.` };
    case 'already-decided': {
      const d = o.action.decision;
      if (d) return { tone: 'default', text: `Already ${d.verb === 'approve' ? 'approved' : 'rejected'} by ${d.by.name} at ${hhmm(d.at)}. Nothing more to do.` };
      if (o.action.state === 'expired') return { tone: 'warning', text: `Already expired at ${hhmm(o.action.expiresAt)}; nothing was changed. Use "Propose again" to ask for a new decision.` };
      return { tone: 'default', text: `Already ${o.action.state}${o.action.fastPath ? ' (fast path allowed by policy)' : ''}. Nothing more to do.` };
    }
  }
}

/**
 * Approve or reject one proposed action. Policy is checked first; the state change is a compare-and-swap on the
 * action row, so double clicks, retried deliveries and two approvers at once produce exactly one decision.
 */
export async function decide(ctx: ContainContext, input: DecideInput): Promise<DecideResult> {
  const ref = parseActionRef(input.ref);
  if (!ref) return { kind: 'not-found', message: 'That button does not belong to a Contain incident.' };
  const incident = await ctx.store.getIncident(ref.incidentId);
  let action = await ctx.store.getAction(ref.incidentId, ref.actionId);
  if (!incident || !action) return { kind: 'not-found', message: `Incident ${ref.incidentId} or its action no longer exists.` };

  const now = ctx.now();
  const roles = action.state === 'proposed' ? await rolesOf(ctx, input.actor) : { approver: false, responder: false };
  let outcome = checkDecision(ctx.policy, { verb: input.verb, actor: input.actor, roles, incident, action, now });
  let changed = false;
  if (outcome.kind === 'approved' || outcome.kind === 'rejected' || outcome.kind === 'expired') {
    const next: Action =
      outcome.kind === 'expired'
        ? { ...action, state: 'expired' }
        : { ...action, state: outcome.kind, decision: { verb: input.verb, by: input.actor, at: now.toISOString(), justification: input.justification } };
    try {
      action = await ctx.store.updateAction(next);
      changed = true;
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      // Someone decided between our read and our write: theirs stands.
      action = (await ctx.store.getAction(ref.incidentId, ref.actionId))!;
      outcome = { kind: 'already-decided', action };
    }
  }
  const log = ctx.log.child({ incidentId: incident.id, actionId: action.id });
  if (changed) {
    await ctx.store.appendAudit(incident.id, {
      at: now.toISOString(),
      event: `action.${action.state}`,
      actor: outcome.kind === 'expired' ? undefined : input.actor,
      actionId: action.id,
      details: { title: action.title, justification: input.justification },
    });
    if (outcome.kind === 'approved') await ctx.queue.send({ type: 'execute', incidentId: incident.id, actionId: action.id, key: `${incident.id}/${action.id}` });
    log.info('action decided', { state: action.state, by: input.actor.aadObjectId, platform: input.actor.platform });
  } else {
    log.info('decision refused', { outcome: outcome.kind, by: input.actor.aadObjectId, platform: input.actor.platform });
    if (outcome.kind !== 'already-decided')
      await ctx.store.appendAudit(incident.id, { at: now.toISOString(), event: `decision.${outcome.kind}`, actor: input.actor, actionId: action.id, details: { verb: input.verb } });
  }
  const actions = await ctx.store.listActions(incident.id);
  const banner = explain(outcome, input.actor, action);
  const shared = changed ? containmentView(incident, actions) : undefined;
  return { kind: 'decided', outcome, incident, actions, view: containmentView(incident, actions, banner), shared, message: banner.text };
}
