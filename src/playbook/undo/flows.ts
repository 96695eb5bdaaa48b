import { failed, ok } from '../steps/common';
import type { UndoHandler } from './types';

/** Undo of "stop flow": the flow started again through the Power Automate admin API (.../flows/{id}/start). */
export const startFlow: UndoHandler = {
  kind: 'startFlow',
  undoes: 'stopFlow',
  snapshot: (a) => ({ api: 'flow', op: 'get', environment: a.params.environment, flowId: a.objectId }),
  change: (a) => ({ api: 'flow', op: 'start', environment: a.params.environment, flowId: a.objectId }),
  outcome: (a, r) =>
    ok(r)
      ? { outcome: 'succeeded', message: `Flow "${a.params.name}" started again.` }
      : failed(r, `Flow "${a.params.name}" could not be started; turn it on in the Power Platform admin center.`),
  check: (a) => ({ api: 'flow', op: 'get', environment: a.params.environment, flowId: a.objectId }),
  verified: (_a, _e, r) => ok(r) && (r.body as { properties?: { state?: string } })?.properties?.state === 'Started',
};
