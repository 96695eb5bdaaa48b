import { z } from 'zod';
import type { SeedUser, TenantData } from './seed';
import { Builders } from './scenario-extra-builders';
import { HOUR, iso } from './scenario-extra-data';

/** Per kind; enough for any card test, small enough that a typo cannot fill the sandbox. */
export const MAX_EXTRA = 100;
const count = z.number().int().min(0).max(MAX_EXTRA);

/** POST /sandbox/scenario with `user`: suspicious objects added to one user, N of each kind. */
export const extraSchema = z
  .object({
    user: z.string().min(1).max(200),
    extra: z.object({ inboxRules: count, methods: count, devices: count, apps: count, flows: count }).partial().strict(),
  })
  .strict();
export type ExtraInput = z.infer<typeof extraSchema>;

export interface ExtraResult {
  user: { id: string; upn: string };
  /**
   * What each added object's proposal will name, by kind: rule, method, device and flow ids; for apps, the consent's
   * grant id or the registration's application id.
   */
  added: { inboxRules: string[]; methods: string[]; devices: string[]; apps: string[]; flows: string[] };
}

/**
 * Add suspicious objects to `user`, each one today's analysis flags (src/playbook/steps/03-07), for reasons that vary
 * from one object to the next as an attacker's leftovers do: hiding, deleting and forwarding rules; methods of several
 * types registered after the attacker's sign-in (phone, email and software OATH ones shown by the directory audit
 * from the attacker's address, as Graph gives them no creation time); Windows and other devices; consented apps with
 * mail scopes and odd names or localhost reply URLs, and apps the user registered with credentials added in the window;
 * flows created in the window. Everything is dated after the user's first risky sign-in (or 48 hours ago when there
 * is none), so it falls inside the intrusion window Contain will compute.
 */
export function addSuspiciousObjects(state: TenantData, now: number, user: SeedUser, input: ExtraInput): ExtraResult {
  const n = { inboxRules: 0, methods: 0, devices: 0, apps: 0, flows: 0, ...input.extra };
  const total = n.inboxRules + n.methods + n.devices + n.apps + n.flows;
  const attack = attackStart(state, now, user.id);
  // Spread over the time since the attack began, at most ten minutes apart, never in the future.
  const step = Math.max(0, Math.min(10 * 60_000, (now - attack.at - 10 * 60_000) / Math.max(total, 1)));
  let tick = 0;
  const next = () => Math.min(now - 60_000, attack.at + 5 * 60_000 + step * tick++);
  const b = new Builders(state, now, user, attack.ip);
  const added: ExtraResult['added'] = { inboxRules: [], methods: [], devices: [], apps: [], flows: [] };
  for (let k = 0; k < n.methods; k++) added.methods.push(b.method(next()));
  for (let k = 0; k < n.devices; k++) added.devices.push(b.device(k, next()));
  for (let k = 0; k < n.apps; k++) added.apps.push(b.app(k, next()));
  for (let k = 0; k < n.inboxRules; k++) added.inboxRules.push(b.rule(k));
  for (let k = 0; k < n.flows; k++) added.flows.push(b.flow(k, next()));
  return { user: { id: user.id, upn: user.userPrincipalName }, added };
}

/**
 * When the attacker got in: the earliest of the sign-ins Contain would read as suspicious (risk flagged, or no device
 * id) in the last 7 days, among the six latest of them, since Contain looks at no more; and the address it came from.
 */
function attackStart(state: TenantData, now: number, userId: string): { at: number; ip?: string } {
  const since = iso(now - 7 * 24 * HOUR);
  const risky = state.signIns
    .filter((s) => s.userId === userId && s.createdDateTime >= since && (s.riskLevelDuringSignIn !== 'none' || !s.deviceDetail.deviceId))
    .sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime))
    .slice(0, 6);
  const first = risky.at(-1);
  return first ? { at: Date.parse(first.createdDateTime), ip: first.ipAddress } : { at: now - 48 * HOUR };
}
