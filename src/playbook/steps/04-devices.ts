import type { ProposedAction, StepModule } from '../types';
import { failed, get, gone, hhmm, inWindow, ok, patch, seg } from './common';

const GENERIC_NAME = /^(DESKTOP|LAPTOP|WIN)-[A-Z0-9]{5,}$|^(iPhone|iPad|Android|Galaxy|Pixel|unknown)$/i;

/** Step 4: devices registered in the window, weighed by trust type and generic names; disable, never delete. */
export const devicesStep: StepModule = {
  number: 4,
  name: 'Suspicious devices',
  analyze(d, { window }) {
    const proposals: ProposedAction[] = [];
    for (const dev of d.devices) {
      if (!inWindow(dev.registrationDateTime, window.start) || dev.accountEnabled === false) continue;
      const reasons = [`registered ${hhmm(String(dev.registrationDateTime))}, inside the intrusion window`];
      if (dev.trustType === 'Workplace') reasons.push('only workplace-registered (personal device), not joined');
      if (GENERIC_NAME.test(String(dev.displayName))) reasons.push(`generic name "${dev.displayName}"`);
      if (dev.isCompliant === false) reasons.push('not compliant');
      const windows = /^windows/i.test(String(dev.operatingSystem));
      proposals.push({
        kind: 'disableDevice',
        step: 4,
        objectId: String(dev.id),
        params: { name: String(dev.displayName), os: String(dev.operatingSystem) },
        title: `Disable device "${dev.displayName}" (${dev.operatingSystem})`,
        detail: windows
          ? 'Disables the device object so it can no longer use device-based access; the object is kept as evidence.'
          : 'Contain will try; with application permissions Entra ID only lets apps change Windows devices, so this may need a Cloud Device Administrator in the admin center.',
        reason: reasons.join('; '),
      });
    }
    return { proposals, checked: `${d.devices.length} registered or owned device(s)`, notes: [] };
  },
  handlers: [
    {
      kind: 'disableDevice',
      phase: 2,
      snapshot: (a) => get(`/devices/${seg(a.objectId)}`),
      change: (a) => patch(`/devices/${seg(a.objectId)}`, { accountEnabled: false }),
      outcome: (a, r) => {
        if (ok(r)) return { outcome: 'succeeded', message: `Device "${a.params.name}" disabled (kept, not deleted).` };
        if (r.status === 404) return gone(`Device "${a.params.name}"`);
        if (r.status === 403 && !/^windows/i.test(a.params.os ?? ''))
          return { ...failed(r, `Not changed: with application permissions Entra ID only lets apps disable Windows devices, and "${a.params.name}" runs ${a.params.os}. A Cloud Device Administrator must disable it in the Entra admin center (Devices > All devices > Disable).`), code: 'APP_ONLY_NON_WINDOWS' };
        return failed(r, `Device "${a.params.name}" could not be disabled; disable it in the Entra admin center.`);
      },
      check: (a) => get(`/devices/${seg(a.objectId)}`),
      verified: (_a, _e, r) => ok(r) && (r.body as { accountEnabled?: boolean })?.accountEnabled === false,
    },
  ],
};
