import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { odataDateTime, odataString, query } from '../graph/odata';
import type { Page } from '../graph/client';
import type { IncidentFacts, SignInFact } from '../incidents/model';

interface SignInRecord {
  createdDateTime: string;
  ipAddress: string;
  appDisplayName: string;
  clientAppUsed?: string;
  userAgent?: string;
  riskLevelDuringSignIn?: string;
  status?: { errorCode: number };
  location?: { city?: string; countryOrRegion?: string };
  deviceDetail?: { deviceId?: string; browser?: string; operatingSystem?: string };
}

/**
 * The user's recent sign-ins as facts for the containment card. Risky ones first, then the latest. A tenant without
 * Entra ID P1 answers 403: that becomes a note on the card, not a failure.
 */
export async function recentSignInFacts(
  ctx: Pick<ContainContext, 'graph' | 'now'>,
  userId: string,
  options: { days?: number; max?: number; signal?: AbortSignal } = {},
): Promise<IncidentFacts> {
  const since = odataDateTime(ctx.now().getTime() - (options.days ?? 7) * 86_400_000);
  const filter = `userId eq ${odataString(userId)} and createdDateTime ge ${since}`;
  try {
    const page = await ctx.graph.get<Page<SignInRecord>>(`/auditLogs/signIns${query({ $filter: filter, $top: 50 })}`, {
      signal: options.signal,
      what: 'reading sign-in logs',
    });
    const facts = page.value.map(toFact);
    const risky = facts.filter((f) => f.risk !== 'none' || !f.deviceKnown || !f.success);
    const rest = facts.filter((f) => !risky.includes(f));
    const picked = [...risky, ...rest].slice(0, options.max ?? 6).sort((a, b) => b.time.localeCompare(a.time));
    return { signIns: picked, notes: [] };
  } catch (err) {
    if (err instanceof ContainError && (err.code === 'GRAPH_UNLICENSED' || err.code === 'GRAPH_FORBIDDEN')) {
      return { signIns: [], notes: [`Sign-in logs not available: ${err.userMessage}`] };
    }
    if (err instanceof ContainError && err.transient)
      return {
        signIns: [],
        notes: ['Sign-in logs could not be read right now (Microsoft Graph did not answer); containment does not depend on them.'],
      };
    // Containment must not wait on an investigation read: say what failed and carry on.
    if (err instanceof ContainError && err.code.startsWith('GRAPH_'))
      return { signIns: [], notes: [`Sign-in logs could not be read: ${err.userMessage}`] };
    throw err;
  }
}

function toFact(s: SignInRecord): SignInFact {
  const where = [s.location?.city, s.location?.countryOrRegion].filter(Boolean).join(', ');
  const browser = [s.deviceDetail?.browser, s.deviceDetail?.operatingSystem].filter(Boolean).join(' on ');
  return {
    time: s.createdDateTime,
    ip: s.ipAddress,
    location: where || 'unknown location',
    app: s.appDisplayName,
    client: browser || s.userAgent || s.clientAppUsed || 'unknown client',
    risk: s.riskLevelDuringSignIn ?? 'none',
    success: (s.status?.errorCode ?? 0) === 0,
    deviceKnown: Boolean(s.deviceDetail?.deviceId),
  };
}
