import type { Action, Incident } from '../incidents/model';
import { REPROPOSABLE } from '../incidents/model';
import { actionRef, stepRef } from '../ids';
import type { ActionView, ContainmentView, StepListView, StepView, Tone } from './types';
import { irreversibleNote, isUndoKind, liveUndoOf, planUndo } from '../playbook/undo/plan';
import { formatUtc } from './time';
import { decisionWords, rank } from './steps';

/** Result code of an action Contain's app cannot perform (marked when the incident opened, from contain doctor). */
export const APP_CANNOT = 'APP_CANNOT';

/** Human label for an action's state, naming who decided and when. */
export function stateLabel(a: Action): string {
  const by = a.decision ? `${a.decision.by.name} (${a.decision.by.platform}) at ${formatUtc(a.decision.at)}` : '';
  switch (a.state) {
    case 'proposed':
      return `Waiting for approval until ${formatUtc(a.expiresAt)}`;
    case 'approved':
      return a.fastPath && !a.decision ? 'Running now (fast path allowed by policy)' : `Approved by ${by}; queued`;
    case 'running':
      return a.decision ? `Approved by ${by}; running` : 'Running (fast path)';
    case 'sending':
      return a.decision ? `Approved by ${by}; being made` : 'Being made (fast path)';
    case 'succeeded':
      return `Done${a.decision ? `, approved by ${by}` : ' (fast path)'}. ${a.result?.message ?? ''}${a.result?.verified === false ? ' (read-back did not confirm it yet)' : ''}${a.result?.recovered ? ' (its answer was lost; the tenant shows it was made, so it was not sent again)' : ''}`.trim();
    case 'failed':
      return `Failed${a.decision ? ` after approval by ${by}` : ''}: ${a.result?.message ?? 'unknown error'}`;
    case 'rejected':
      return `Rejected by ${by}`;
    case 'expired':
      return `Expired at ${formatUtc(a.expiresAt)} without a decision; nothing was changed.`;
    case 'skipped':
      return a.result?.code === APP_CANNOT ? 'Not offered for approval.' : (a.result?.message ?? 'Skipped');
  }
}

/**
 * Taking a change back, as the card shows it: Undo offered on a done, reversible change (or the undo's state once
 * asked for); before approval, the sentence saying that a change cannot be undone. Undo actions themselves get neither.
 */
function undoFields(a: Action, actions: Action[], dryRun: boolean): Pick<ActionView, 'undo' | 'irreversible'> {
  if (isUndoKind(a.kind) || dryRun) return {};
  const irreversible = irreversibleNote(a.kind);
  if (irreversible) return { irreversible };
  const live = liveUndoOf(a, actions);
  if (live) return { undo: { state: live.state === 'succeeded' ? 'done' : 'requested', ref: actionRef(live) } };
  return a.state === 'succeeded' && planUndo(a).reversible ? { undo: { state: 'offered', ref: actionRef(a) } } : {};
}

/** One action as a card shows it (containment and posture records alike: posture kinds have no undo plan here). */
export function actionView(incident: Incident, actions: Action[], a: Action): ActionView {
  return {
    ref: actionRef(a),
    step: a.step,
    title: a.title,
    detail: a.detail,
    reason: a.reason,
    deletable: a.kind === 'disableInboxRule' && a.state === 'proposed' && !incident.dryRun,
    state: a.state,
    stateLabel: stateLabel(a),
    decidable: a.state === 'proposed' && !incident.dryRun,
    reproposable:
      REPROPOSABLE.has(a.state) && !incident.dryRun && !actions.some((b) => b.kind === a.kind && b.objectId === a.objectId && b.id > a.id),
    ...(a.result?.code === APP_CANNOT ? { blocked: a.result.message } : {}),
    ...undoFields(a, actions, incident.dryRun),
  };
}

/** A step with its buttons' reference and, when proposals wait in it, what approving the whole step does. */
function stepView(incident: Incident, actions: Action[], s: Omit<StepView, 'ref' | 'decide'>): StepView {
  const waiting = incident.dryRun ? [] : actions.filter((a) => a.step === s.step && a.state === 'proposed');
  return {
    ...s,
    ref: stepRef(incident.id, s.step),
    ...(waiting.length ? { decide: { count: waiting.length, what: decisionWords(waiting) } } : {}),
  };
}

/** The containment card's view of an incident and its actions: by step, the most suspicious first. */
export function containmentView(incident: Incident, actions: Action[], banner?: { tone: Tone; text: string }): ContainmentView {
  return {
    kind: 'containment',
    incidentId: incident.id,
    dryRun: incident.dryRun,
    requesterName: incident.requester.name,
    target: incident.target,
    signIns: incident.facts.signIns,
    notes: incident.facts.notes,
    steps: (incident.facts.steps ?? []).map((s) => stepView(incident, actions, s)),
    window: incident.facts.window,
    decideAll: !incident.dryRun && actions.filter((a) => a.state === 'proposed').length > 1,
    actions: rank(actions).map((a) => actionView(incident, actions, a)),
    banner,
    ...(incident.facts.alert ? { alert: incident.facts.alert } : {}),
    footer: `${incident.id} · opened by ${incident.requester.name} at ${formatUtc(incident.createdAt)}${incident.dryRun ? ' · DRY RUN: nothing will be changed' : ''}`,
  };
}

/** "Show all" of one step: every one of its actions, the most suspicious first. */
export function stepListView(incident: Incident, actions: Action[], step: number, banner?: { tone: Tone; text: string }): StepListView {
  const known = incident.facts.steps?.find((s) => s.step === step) ?? { step, name: `Step ${step}`, checked: '', notes: [] };
  const mine = actions.filter((a) => a.step === step);
  return {
    kind: 'step-list',
    incidentId: incident.id,
    dryRun: incident.dryRun,
    target: incident.target,
    step: stepView(incident, actions, known),
    actions: rank(mine).map((a) => actionView(incident, actions, a)),
    ...(banner ? { banner } : {}),
  };
}
