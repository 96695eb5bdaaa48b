import type { ProposedAction, StepModule } from '../types';
import { failed, hhmm, inWindow, ok } from './common';

const MAIL_OUT = /SendEmail|ForwardEmail|SendMail|Reply|Forward/i;

/** Step 6: Power Automate flows created in the window or sending/forwarding mail outside; stop them. */
export const flowsStep: StepModule = {
  number: 6,
  name: 'Power Automate flows',
  analyze(d, { user, window }) {
    if (!Array.isArray(d.flows)) return { proposals: [], checked: 'not checked', notes: [d.flows.notChecked] };
    const domain = String(user.userPrincipalName).split('@')[1]?.toLowerCase();
    const proposals: ProposedAction[] = [];
    for (const f of d.flows) {
      if (f.state !== 'Started') continue;
      const reasons: string[] = [];
      if (inWindow(f.createdTime, window.start)) reasons.push(`created ${hhmm(f.createdTime)}, inside the intrusion window`);
      const external = f.actions.filter((a) => MAIL_OUT.test(a.swaggerOperationId ?? '') && typeof a.metadata?.to === 'string' && !String(a.metadata.to).toLowerCase().endsWith('@' + domain));
      if (external.length) reasons.push(`sends or forwards mail outside the organisation (${external.map((a) => a.metadata!.to).join(', ')})`);
      if (!reasons.length) continue;
      proposals.push({
        kind: 'stopFlow',
        step: 6,
        objectId: f.name,
        params: { environment: f.environment, name: f.displayName },
        title: `Stop flow "${f.displayName}"`,
        detail: `Trigger: ${f.triggers.map((t) => t.swaggerOperationId ?? t.type).join(', ') || 'unknown'}; actions: ${f.actions.map((a) => a.swaggerOperationId ?? a.type).join(', ') || 'unknown'}. Stopping keeps the flow and its history as evidence.`,
        reason: reasons.join('; '),
      });
    }
    return { proposals, checked: `${d.flows.length} flow(s) created by the user`, notes: [] };
  },
  handlers: [
    {
      kind: 'stopFlow',
      phase: 2,
      snapshot: (a) => ({ api: 'flow', op: 'get', environment: a.params.environment, flowId: a.objectId }),
      change: (a) => ({ api: 'flow', op: 'stop', environment: a.params.environment, flowId: a.objectId }),
      outcome: (a, r) => (ok(r) ? { outcome: 'succeeded', message: `Flow "${a.params.name}" stopped (kept, with its run history).` } : failed(r, `Flow "${a.params.name}" could not be stopped; turn it off in the Power Platform admin center.`)),
      check: (a) => ({ api: 'flow', op: 'get', environment: a.params.environment, flowId: a.objectId }),
      verified: (_a, _e, r) => ok(r) && (r.body as { properties?: { state?: string } })?.properties?.state === 'Stopped',
    },
  ],
};
