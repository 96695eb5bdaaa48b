import { roleFix } from '../../doctor/fixes';
import { failed, get, gone, ok, patch, seg } from '../steps/common';
import type { UndoHandler } from './types';

/** Undo of "disable device": accountEnabled back to true (device-update; Cloud Device Administrator, Windows only). */
export const enableDevice: UndoHandler = {
  kind: 'enableDevice',
  undoes: 'disableDevice',
  snapshot: (a) => get(`/devices/${seg(a.objectId)}`),
  change: (a) => patch(`/devices/${seg(a.objectId)}`, { accountEnabled: true }),
  outcome: (a, r) => {
    if (ok(r)) return { outcome: 'succeeded', message: `Device "${a.params.name}" enabled again.` };
    if (r.status === 404) return gone(`Device "${a.params.name}"`);
    if (r.status === 400 && !/^windows/i.test(a.params.os ?? ''))
      return {
        ...failed(
          r,
          `Not changed: Entra ID lets apps change only Windows devices; a Cloud Device Administrator enables "${a.params.name}" in the Entra admin center (Devices > All devices > Enable).`,
        ),
        code: 'APP_ONLY_NON_WINDOWS',
      };
    if (r.status === 403)
      return {
        ...failed(
          r,
          `Not changed: enabling devices needs the Cloud Device Administrator role on Contain's app. ${roleFix('Cloud Device Administrator')}`,
        ),
        code: 'NEEDS_ROLE',
      };
    return failed(r, `Device "${a.params.name}" could not be enabled; enable it in the Entra admin center.`);
  },
  check: (a) => get(`/devices/${seg(a.objectId)}`),
  verified: (_a, _e, r) => ok(r) && (r.body as { accountEnabled?: boolean })?.accountEnabled === true,
};
