import type { ProposedAction, StepModule } from '../types';
import { failed, inWindow, ok } from './common';
import { formatUtc } from '../../views/time';

const MAIL_OUT = /SendEmail|ForwardEmail|SendMail|Reply|Forward/i;
const NEW_MAIL = /^OnNew(Email|Mail)/i;

const opName = (o: { type?: string; swaggerOperationId?: string; api?: { name?: string; displayName?: string } }) =>
  `${o.swaggerOperationId ?? o.type ?? 'unknown'}${o.api ? ` (${o.api.displayName ?? o.api.name})` : ''}`;

/**
 * Step 6: Power Automate flows created in the window, or that send or forward mail whenever new mail arrives (the
 * classic exfiltration relay); stop them. The admin API's list describes each step by type, operation and connector
 * only: recipients are in the flow's definition, which the admin API does not return, so Contain judges a flow by
 * what it does, never by where it sends, and says so on the card.
 */
export const flowsStep: StepModule = {
  number: 6,
  name: 'Power Automate flows',
  reads: {
    // The Power Automate admin API, not Graph: the flows the user created, each described by its steps.
    async flows(client, userId, signal) {
      if (!client)
        return {
          notChecked:
            'Power Automate is not configured: set POWER_AUTOMATE_API_URL and POWER_AUTOMATE_ENVIRONMENT and grant Contain the Power Automate admin role (docs/permissions.md).',
        };
      try {
        return await client.listByCreator(userId, { signal });
      } catch (err) {
        return { notChecked: `Power Automate could not be read: ${(err as Error).message}` };
      }
    },
  },
  analyze(d, { window }) {
    if (!Array.isArray(d.flows)) return { proposals: [], checked: 'not checked', notes: [d.flows.notChecked] };
    const proposals: ProposedAction[] = [];
    for (const f of d.flows) {
      if (f.state !== 'Started') continue;
      const reasons: string[] = [];
      if (inWindow(f.createdTime, window.start)) reasons.push(`created ${formatUtc(f.createdTime)}, inside the intrusion window`);
      const mailOut = f.actions.filter((a) => MAIL_OUT.test(a.swaggerOperationId ?? ''));
      const onNewMail = f.triggers.find((t) => NEW_MAIL.test(t.swaggerOperationId ?? ''));
      if (onNewMail && mailOut.length)
        reasons.push(
          `${mailOut.some((a) => /forward/i.test(a.swaggerOperationId ?? '')) ? 'forwards' : 'sends'} mail every time new mail arrives (${opName(onNewMail)} then ${mailOut.map(opName).join(', ')})`,
        );
      if (!reasons.length) continue;
      proposals.push({
        kind: 'stopFlow',
        step: 6,
        objectId: f.name,
        params: { environment: f.environment, name: f.displayName },
        title: `Stop flow "${f.displayName}"`,
        detail: `Trigger: ${f.triggers.map(opName).join(', ') || 'unknown'}; actions: ${f.actions.map(opName).join(', ') || 'unknown'}.${f.actions.some((a) => MAIL_OUT.test(a.swaggerOperationId ?? '')) ? ' The admin API does not show recipients: open the flow in Power Automate to see where it sends mail.' : ''} Stopping keeps the flow and its history as evidence.`,
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
      outcome: (a, r) =>
        ok(r)
          ? { outcome: 'succeeded', message: `Flow "${a.params.name}" stopped (kept, with its run history).` }
          : failed(r, `Flow "${a.params.name}" could not be stopped; turn it off in the Power Platform admin center.`),
      check: (a) => ({ api: 'flow', op: 'get', environment: a.params.environment, flowId: a.objectId }),
      verified: (_a, _e, r) => ok(r) && (r.body as { properties?: { state?: string } })?.properties?.state === 'Stopped',
    },
  ],
};
