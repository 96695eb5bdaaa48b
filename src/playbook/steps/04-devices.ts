import type { ProposedAction, StepModule } from '../types';
import { roleFix } from '../../doctor/fixes';
import { failed, get, gone, inWindow, ok, patch, query, read, seg, userPath } from './common';
import { formatUtc } from '../../views/time';

const GENERIC_NAME = /^(DESKTOP|LAPTOP|WIN)-[A-Z0-9]{5,}$|^(iPhone|iPad|Android|Galaxy|Pixel|unknown)$/i;

/** Step 4: devices registered in the window, weighed by trust type and generic names; disable, never delete. */
export const devicesStep: StepModule = {
  number: 4,
  name: 'Suspicious devices',
  reads: {
    first: (scope) => [
      read('registeredDevices', `${userPath(scope)}/registeredDevices${query({ $top: 100 })}`),
      read('ownedDevices', `${userPath(scope)}/ownedDevices${query({ $top: 100 })}`),
    ],
  },
  analyze(d, { window }) {
    const proposals: ProposedAction[] = [];
    // A device can be both registered to and owned by the user: judge it once.
    const devices = [
      ...new Map([...d.answers.list('registeredDevices'), ...d.answers.list('ownedDevices')].map((dev) => [String(dev.id), dev])).values(),
    ];
    for (const dev of devices) {
      if (!inWindow(dev.registrationDateTime, window.start) || dev.accountEnabled === false) continue;
      const reasons = [`registered ${formatUtc(String(dev.registrationDateTime))}, inside the intrusion window`];
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
          : 'Contain will try, but Entra ID lets apps change only Windows devices: expect "an admin must disable it in the Entra admin center" (Devices > All devices > Disable).',
        reason: reasons.join('; '),
      });
    }
    return { proposals, checked: `${devices.length} registered or owned device(s)`, notes: [] };
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
        // device-update: "In application-only scenarios and for non-Windows devices ... the app can update only the
        // extensionAttributes property"; Graph answers 400 Request_BadRequest.
        if (r.status === 400 && !/^windows/i.test(a.params.os ?? ''))
          return {
            ...failed(
              r,
              `Not changed: an admin must do this in the portal. Entra ID lets apps change only Windows devices, and "${a.params.name}" runs ${a.params.os}: a Cloud Device Administrator disables it in the Entra admin center (Devices > All devices > "${a.params.name}" > Disable).`,
            ),
            code: 'APP_ONLY_NON_WINDOWS',
          };
        if (r.status === 403)
          return {
            ...failed(
              r,
              `Not changed: disabling devices needs the Cloud Device Administrator role on Contain's app (and Device.ReadWrite.All). ${roleFix('Cloud Device Administrator')} Until then, disable "${a.params.name}" in the Entra admin center (Devices > All devices > Disable).`,
            ),
            code: 'NEEDS_ROLE',
          };
        return failed(r, `Device "${a.params.name}" could not be disabled; disable it in the Entra admin center.`);
      },
      check: (a) => get(`/devices/${seg(a.objectId)}`),
      verified: (_a, _e, r) => ok(r) && (r.body as { accountEnabled?: boolean })?.accountEnabled === false,
    },
  ],
};
