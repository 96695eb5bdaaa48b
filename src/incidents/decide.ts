import type { ContainContext } from '../context';
import { ConcurrencyError } from '../store/incident-store';
import { incidentView } from '../views/incident';
import type { IncidentView, Tone } from '../views/types';
import { isPostureRecord } from '../posture/record';
import { INCIDENT_ID, parseActionRef, parseStepRef } from '../ids';
import type { Action, Actor, Incident } from './model';
import { checkDecision, isProtected, OWN_INCIDENT, rolesOf, type DecisionOutcome } from './policy';
import type { DecisionVerb } from '../views/buttons';
import { missingRole, type ActorRoles } from './roles';
import { formatClock } from '../views/time';
import { inIncidentTrace } from '../telemetry/incident';

export interface DecideInput {
  /** An action reference, an incident id for the -all verbs, a step reference for the -step verbs. */
  ref: string;
  verb: DecisionVerb;
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
      view: IncidentView;
      /** For everyone: set when the shared card changed. */
      shared?: IncidentView;
      message: string;
    };

function explain(
  o: DecisionOutcome,
  actor: Actor,
  what: string,
  verb: DecisionVerb,
  incident: Incident,
  askedForIt = false,
): { tone: Tone; text: string } {
  switch (o.kind) {
    case 'approved':
      return { tone: 'good', text: `Approved by ${actor.name}. Running ${what} now.` };
    case 'rejected':
      return { tone: 'warning', text: `Rejected by ${actor.name}. ${what} will not run.` };
    case 'refused-four-eyes':
      if (askedForIt)
        return {
          tone: 'attention',
          text: 'You asked for this undo, so you cannot approve it yourself. Another approver must approve (four-eyes rule).',
        };
      return {
        tone: 'attention',
        text: 'You opened this incident, so you cannot approve its actions yourself. Another approver must approve (four-eyes rule).',
      };
    case 'refused-target':
      return { tone: 'attention', text: OWN_INCIDENT };
    case 'refused-protected':
      return {
        tone: 'attention',
        text: `${incident.target.displayName} is now a protected account (break-glass or administrator), so Contain will not act on it and nothing was approved. Follow the manual procedure for privileged accounts.`,
      };
    case 'refused-not-approver':
      return { tone: 'attention', text: `${missingRole(verb, 'approver')} Or ask an approver to look at this card.` };
    case 'refused-unidentified':
      return { tone: 'attention', text: 'Contain could not tell who you are in Entra ID, so it cannot accept your decision.' };
    case 'expired':
      return { tone: 'warning', text: 'This approval expired. Nothing was changed. Use "Propose again" to ask for a new decision.' };
    case 'already-decided': {
      const d = o.action.decision;
      if (d?.verb === 'reject')
        return {
          tone: 'default',
          text: `Already rejected by ${d.by.name} at ${formatClock(d.at)}. A responder or approver may use "Propose again" to ask for a new decision.`,
        };
      if (d) return { tone: 'default', text: `Already approved by ${d.by.name} at ${formatClock(d.at)}. Nothing more to do.` };
      if (o.action.state === 'expired')
        return {
          tone: 'warning',
          text: `Already expired at ${formatClock(o.action.expiresAt)}; nothing was changed. Use "Propose again" to ask for a new decision.`,
        };
      return {
        tone: 'default',
        text: `Already ${o.action.state}${o.action.fastPath ? ' (fast path allowed by policy)' : ''}. Nothing more to do.`,
      };
    }
  }
}

/** Decide one action: policy first, then compare-and-swap; a lost race reports the winner's decision. */
async function decideOne(
  ctx: ContainContext,
  incident: Incident,
  action: Action,
  button: DecisionVerb,
  actor: Actor,
  roles: ActorRoles,
  protectedNow: boolean,
  justification?: string,
): Promise<{ outcome: DecisionOutcome; action: Action; changed: boolean }> {
  const now = ctx.now();
  const verb = button.startsWith('approve') ? 'approve' : 'reject';
  const option = button === 'approve-delete' ? 'delete' : undefined;
  let outcome = checkDecision(ctx.policy, { verb: button, actor, roles, incident, action, now });
  if (outcome.kind === 'approved' && protectedNow) outcome = { kind: 'refused-protected' };
  if (outcome.kind !== 'approved' && outcome.kind !== 'rejected' && outcome.kind !== 'expired') {
    if (outcome.kind !== 'already-decided')
      await ctx.store.appendAudit(incident.id, {
        at: now.toISOString(),
        event: `decision.${outcome.kind}`,
        actor,
        actionId: action.id,
        details: { verb },
      });
    return { outcome, action, changed: false };
  }
  const next: Action =
    outcome.kind === 'expired'
      ? { ...action, state: 'expired' }
      : {
          ...action,
          state: outcome.kind,
          decision: {
            verb,
            option: option && action.kind === 'disableInboxRule' ? option : undefined,
            by: actor,
            at: now.toISOString(),
            justification,
          },
        };
  try {
    const saved = await ctx.store.updateAction(next);
    await ctx.store.appendAudit(incident.id, {
      at: now.toISOString(),
      event: `action.${saved.state}`,
      actor: outcome.kind === 'expired' ? undefined : actor,
      actionId: saved.id,
      details: { title: saved.title, option: saved.decision?.option, justification },
    });
    return { outcome, action: saved, changed: true };
  } catch (err) {
    if (!(err instanceof ConcurrencyError)) throw err;
    const winner = (await ctx.store.getAction(action.incidentId, action.id))!;
    outcome = { kind: 'already-decided', action: winner };
    return { outcome, action: winner, changed: false };
  }
}

/** What a decision button covers: one action, the proposals of one playbook step, or every proposal of the incident. */
type Scope = { incidentId: string } & ({ kind: 'one'; actionId: string } | { kind: 'step'; step: number } | { kind: 'all' });

function scopeOf(verb: DecisionVerb, ref: string): Scope | undefined {
  if (verb === 'approve-all' || verb === 'reject-all') return INCIDENT_ID.test(ref) ? { kind: 'all', incidentId: ref } : undefined;
  if (verb === 'approve-step' || verb === 'reject-step') {
    const s = parseStepRef(ref);
    return s && { kind: 'step', ...s };
  }
  const a = parseActionRef(ref);
  return a && { kind: 'one', ...a };
}

/** The actions a scope covers now: for a step or the incident, only those still waiting for a decision. */
async function targetsOf(ctx: ContainContext, scope: Scope): Promise<Action[]> {
  if (scope.kind === 'one') return [await ctx.store.getAction(scope.incidentId, scope.actionId)].filter((a): a is Action => !!a);
  return (await ctx.store.listActions(scope.incidentId)).filter(
    (a) => a.state === 'proposed' && (scope.kind === 'all' || a.step === scope.step),
  );
}

function nothingIn(scope: Scope): string {
  if (scope.kind === 'one') return `Incident ${scope.incidentId} has no such action.`;
  return scope.kind === 'step'
    ? `Nothing in step ${scope.step} is waiting for a decision.`
    : 'Nothing is waiting for a decision in this incident.';
}

/**
 * Approve or reject one proposed action, one step's proposals, or all of an incident's proposed actions at once. Double
 * clicks, retried deliveries and two approvers at once produce exactly one decision per action; approved actions go to
 * the worker as one unit so they run batched.
 */
export async function decide(ctx: ContainContext, input: DecideInput): Promise<DecideResult> {
  const scope = scopeOf(input.verb, input.ref);
  if (!scope) return { kind: 'not-found', message: 'That button does not belong to a Contain incident.' };
  const incident = await ctx.store.getIncident(scope.incidentId);
  if (!incident) return { kind: 'not-found', message: `Incident ${scope.incidentId} no longer exists.` };
  const targets = await targetsOf(ctx, scope);
  if (!targets.length) return { kind: 'not-found', message: nothingIn(scope) };

  const roles = targets.some((a) => a.state === 'proposed')
    ? await rolesOf(ctx, input.actor, { need: 'approver' })
    : { approver: false, responder: false };
  // Protected status may have changed since the incident opened: ask the directory again before anything is approved.
  // A posture record changes no account (its measures exclude the protected ones by construction): nothing to ask.
  const now = ctx.now();
  const wouldApprove = targets.some(
    (a) => checkDecision(ctx.policy, { verb: input.verb, actor: input.actor, roles, incident, action: a, now }).kind === 'approved',
  );
  const protectedNow = wouldApprove && !isPostureRecord(incident) && (await isProtected(ctx, incident.target, { fresh: true }));
  if (protectedNow)
    ctx.log.warn('approval refused: the target is now protected', { incidentId: incident.id, targetId: incident.target.id });
  // Each action is its own compare-and-swap: decide them together.
  const decided = await Promise.all(
    targets.map((a) => decideOne(ctx, incident, a, input.verb, input.actor, roles, protectedNow, input.justification)),
  );

  const approved = decided.filter((d) => d.changed && d.action.state === 'approved').map((d) => d.action.id);
  if (approved.length)
    await inIncidentTrace(ctx, incident.id, 'contain approved', () =>
      ctx.queue.send({ type: 'execute', incidentId: incident.id, actionIds: approved, key: `${incident.id}/${approved.join(',')}` }),
    );
  const changed = decided.some((d) => d.changed);
  // The clicker hears about the best thing that happened, or else why nothing did.
  const outcome = decided.find((d) => d.changed && d.outcome.kind !== 'expired')?.outcome ?? decided[0].outcome;
  const count = `${decided.filter((d) => d.changed).length} action(s)`;
  const what = scope.kind === 'one' ? `"${targets[0].title}"` : scope.kind === 'step' ? `${count} of step ${scope.step}` : count;
  const askedForIt = decided.some(
    (d) => d.outcome.kind === 'refused-four-eyes' && d.action.requestedBy?.aadObjectId === input.actor.aadObjectId,
  );
  const banner = explain(outcome, input.actor, what, input.verb, incident, askedForIt);
  ctx.log.child({ incidentId: incident.id }).info(changed ? 'decision recorded' : 'decision refused', {
    verb: input.verb,
    outcome: outcome.kind,
    actions: decided.length,
    approved: approved.length,
    by: input.actor.aadObjectId,
    platform: input.actor.platform,
  });
  const actions = await ctx.store.listActions(incident.id);
  return {
    kind: 'decided',
    outcome,
    incident,
    actions,
    view: incidentView(incident, actions, banner),
    shared: changed ? incidentView(incident, actions) : undefined,
    message: banner.text,
  };
}
