import type { SignInFact } from '../incidents/model';
import { formatUtc } from '../views/time';

/**
 * The intrusion window: from `--since` when the responder gave one; otherwise from one hour before the first risky
 * sign-in found (risk flagged, or an unknown device); otherwise the last 7 days.
 */
export function intrusionWindow(signIns: SignInFact[], now: Date, sinceDays?: number): { start: string; reason: string } {
  if (sinceDays)
    return {
      start: new Date(now.getTime() - sinceDays * 86_400_000).toISOString(),
      reason: `--since ${sinceDays}d given by the responder`,
    };
  const risky = signIns.filter((s) => s.risk !== 'none' || !s.deviceKnown).sort((a, b) => a.time.localeCompare(b.time));
  if (risky.length) {
    const first = risky[0];
    return {
      start: new Date(Date.parse(first.time) - 3_600_000).toISOString(),
      reason: `one hour before the first suspicious sign-in (${formatUtc(first.time)} from ${first.ip})`,
    };
  }
  return { start: new Date(now.getTime() - 7 * 86_400_000).toISOString(), reason: 'no suspicious sign-in found: the last 7 days' };
}

/** IPs of sign-ins that look like the attacker's, inside the window. */
export function attackerIps(signIns: SignInFact[], windowStart: string): Set<string> {
  return new Set(signIns.filter((s) => s.time >= windowStart && (s.risk !== 'none' || !s.deviceKnown)).map((s) => s.ip));
}
