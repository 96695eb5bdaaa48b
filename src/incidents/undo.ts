import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { actionId } from '../ids';
import { isUndoKind, liveUndoOf, planUndo } from '../playbook/undo/plan';
import { ConcurrencyError } from '../store/incident-store';
import { containmentView } from '../views/containment';
import type { ContainmentView } from '../views/types';
import type { Action, Actor } from './model';
import { actionForButton } from './button-target';
import { BUTTON_ROLES } from './roles';

export interface UndoRequest {
  incidentId: string;
  /** For the clicker (with a banner), and for everyone (the shared card) when something changed. */
  view: ContainmentView;
  shared?: ContainmentView;
  message: string;
}

/**
 * "Undo" on a done, reversible change: a new proposed action of the undo's kind (planUndo: restored from the evidence
 * snapshot of the change it takes back), asked for by `actor`, whom four-eyes then keeps from approving it. It is a
 * change like any other: another approver approves, the engine snapshots, changes once and reads back, and the audit
 * trail and report record who asked, who approved and what came of it.
 */
export async function requestUndo(ctx: ContainContext, ref: string, actor: Actor): Promise<UndoRequest> {
  const { incident, action: done } = await actionForButton(ctx, ref, actor, BUTTON_ROLES.undo, 'Undo');
  if (isUndoKind(done.kind)) throw new ContainError('CONFLICT', `"${done.title}" is itself an undo; to take it back, contain again.`);
  for (let attempt = 0; attempt < 5; attempt++) {
    const actions = await ctx.store.listActions(incident.id);
    const live = liveUndoOf(done, actions);
    if (live) {
      const text =
        live.state === 'succeeded'
          ? `"${done.title}" was undone already (${live.id}).`
          : `Undo of "${done.title}" is already asked for (${live.id}): it waits for an approver.`;
      return { incidentId: incident.id, view: containmentView(incident, actions, { tone: 'default', text }), message: text };
    }
    const plan = planUndo({ ...done, kind: done.kind });
    if (!plan.reversible) throw new ContainError('CONFLICT', plan.why);
    const now = ctx.now();
    const u = plan.undo;
    const next: Action = {
      incidentId: incident.id,
      id: actionId(actions.length + 1),
      step: u.step,
      kind: u.kind,
      objectId: u.objectId,
      params: { ...u.params, undoes: done.id },
      title: u.title,
      detail: u.detail,
      reason: `${u.reason} Asked for by ${actor.name}.`,
      state: 'proposed',
      proposedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ctx.policy.approvalTtlMs).toISOString(),
      fastPath: false,
      attempts: 0,
      requestedBy: actor,
    };
    try {
      await ctx.store.addAction(next);
    } catch (err) {
      if (err instanceof ConcurrencyError) continue; // another action took the id: count again
      throw err;
    }
    await ctx.store.appendAudit(incident.id, {
      at: now.toISOString(),
      event: 'undo.requested',
      actor,
      actionId: next.id,
      details: { undoes: done.id, title: next.title },
    });
    ctx.log.info('undo requested', { incidentId: incident.id, actionId: next.id, undoes: done.id, by: actor.aadObjectId });
    const all = await ctx.store.listActions(incident.id);
    const text = `Undo asked for by ${actor.name}: "${next.title}" waits for another approver.`;
    return {
      incidentId: incident.id,
      view: containmentView(incident, all, { tone: 'good', text }),
      shared: containmentView(incident, all),
      message: text,
    };
  }
  throw new ContainError('CONFLICT', 'The incident kept changing while the undo was being asked for; try again.', { transient: true });
}
