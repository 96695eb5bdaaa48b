import type { ContainContext } from '../context';
import { findUser, type UserQuery } from '../directory/find-user';
import { ContainError } from '../errors';
import { runBatch, subError } from '../graph/batch';
import { odataString, query } from '../graph/odata';
import type { ScopeView } from '../views/types';
import { fromSignIn } from './formats/graph';
import type { LogRecord } from './record';
import { updateFacts } from '../incidents/threads';

interface EmailRow {
  Timestamp: string;
  NetworkMessageId: string;
  SenderFromAddress: string;
  RecipientEmailAddress: string;
  RecipientObjectId?: string;
  Subject: string;
  UrlCount?: number;
  EmailDirection?: string;
}

/** A KQL string literal: double quotes, with backslashes and quotes escaped. */
function kql(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

async function hunt(ctx: ContainContext, q: string): Promise<EmailRow[]> {
  const r = await ctx.graph.post<{ results: EmailRow[] }>('/security/runHuntingQuery', { Query: q }, { what: 'advanced hunting (EmailEvents)' });
  return r.results ?? [];
}

/**
 * Steps 9-10: the phishing mail (the last inbound mail with links before the first suspicious sign-in), its other
 * recipients (same sender and subject within a day), and each recipient's sign-ins from an hour before receipt to a
 * day after, flagged when they share the attacker's IP or user agent or look like an AiTM replay.
 */
export async function scopeUser(ctx: ContainContext, q: UserQuery, sinceDays = 7): Promise<ScopeView> {
  const found = await findUser(ctx, q);
  if (found.kind === 'many') throw new ContainError('USER_AMBIGUOUS', `Several users match "${q.value}"; use the UPN.`);
  const user = found.user;
  const notes: string[] = [];
  const since = new Date(ctx.now().getTime() - sinceDays * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

  // What the attacker looked like in this user's sign-ins.
  const own: LogRecord[] = [];
  try {
    for await (const s of ctx.graph.list<Record<string, unknown>>(`/auditLogs/signIns${query({ $filter: `userId eq ${odataString(user.id)} and createdDateTime ge ${since}`, $top: 500 })}`, { version: 'beta', what: 'sign-in logs' })) {
      const r = fromSignIn(s);
      if (r) own.push(r);
    }
  } catch (err) {
    if (err instanceof ContainError && err.code.startsWith('GRAPH_')) notes.push(`Sign-in logs: ${err.userMessage}`);
    else throw err;
  }
  const bad = own.filter((r) => !r.deviceId || (r.details.riskLevelDuringSignIn && r.details.riskLevelDuringSignIn !== 'none')).sort((a, b) => a.time.localeCompare(b.time));
  const attackerIps = new Set(bad.map((r) => r.ip).filter((ip): ip is string => !!ip));
  const attackerUas = new Set(bad.map((r) => r.userAgent).filter((ua): ua is string => !!ua));
  const firstBad = bad[0]?.time ?? ctx.now().toISOString();

  let mail: EmailRow | undefined;
  let recipients: EmailRow[] = [];
  try {
    const inbound = await hunt(ctx, `EmailEvents | where RecipientObjectId == ${kql(user.id)} and EmailDirection == "Inbound" and Timestamp between (datetime(${since}) .. datetime(${firstBad}))`);
    mail = inbound.filter((m) => (m.UrlCount ?? 0) > 0).sort((a, b) => b.Timestamp.localeCompare(a.Timestamp))[0];
    if (mail) {
      const t = Date.parse(mail.Timestamp);
      recipients = await hunt(ctx, `EmailEvents | where SenderFromAddress == ${kql(mail.SenderFromAddress)} and Subject == ${kql(mail.Subject)} and Timestamp between (datetime(${new Date(t - 86_400_000).toISOString()}) .. datetime(${new Date(t + 86_400_000).toISOString()}))`);
    } else notes.push('No inbound mail with links reached the user before the first suspicious sign-in; name the message to scope (not built yet).');
  } catch (err) {
    if (err instanceof ContainError && (err.code === 'GRAPH_FORBIDDEN' || err.code === 'GRAPH_UNLICENSED')) notes.push(`Advanced hunting is not available (needs Microsoft Defender for Office 365 Plan 2 and ThreatHunting.Read.All): ${err.userMessage}`);
    else throw err;
  }

  // Step 10: each other recipient's sign-ins around receipt, in one batch.
  const others = recipients.filter((r) => r.RecipientObjectId?.toLowerCase() !== user.id.toLowerCase());
  const checks = await runBatch(
    ctx.graph,
    others.map((r, i) => {
      const t = Date.parse(r.Timestamp);
      const from = new Date(t - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const to = new Date(t + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return { id: `r${i}`, method: 'GET' as const, url: `/auditLogs/signIns${query({ $filter: `userPrincipalName eq ${odataString(r.RecipientEmailAddress)} and createdDateTime ge ${from} and createdDateTime le ${to}`, $top: 200 })}` };
    }),
    { version: 'beta' },
  );
  const rows = others.map((r, i) => {
    const res = checks.get(`r${i}`);
    if (!res || res.status >= 300) return { upn: r.RecipientEmailAddress, received: r.Timestamp, flagged: false, reasons: [`sign-ins could not be read: ${res ? (subError(res).message ?? `HTTP ${res.status}`) : 'no answer'}`] };
    const signIns = ((res.body as { value?: Record<string, unknown>[] }).value ?? []).map(fromSignIn).filter((x): x is LogRecord => !!x);
    const reasons = new Set<string>();
    for (const s of signIns) {
      if (s.ip && attackerIps.has(s.ip)) reasons.add(`signed in from the attacker's IP ${s.ip} at ${s.time.slice(0, 16).replace('T', ' ')} UTC`);
      if (s.userAgent && attackerUas.has(s.userAgent)) reasons.add(`signed in with the attacker's user agent`);
      if (/officehome/i.test(s.app ?? '') && !s.deviceId && s.ip && !signIns.some((o) => o.deviceId && o.ip === s.ip)) reasons.add(`OfficeHome sign-in without a device id from ${s.ip} (AiTM pattern)`);
    }
    return { upn: r.RecipientEmailAddress, received: r.Timestamp, flagged: reasons.size > 0, reasons: [...reasons] };
  });
  const scoped = { mail: mail ? { sender: mail.SenderFromAddress, subject: mail.Subject, time: mail.Timestamp, recipients: recipients.length } : undefined, recipients: rows.map(({ upn, flagged, reasons }) => ({ upn, flagged, reasons })) };
  // The incident report lists the other recipients: keep them with the user's newest incident unless it is closed
  // (a contained incident still gets its report written).
  const [latest] = await ctx.store.findIncidents({ targetUserId: user.id });
  if (latest && latest.state !== 'closed') await updateFacts(ctx, latest.id, (facts) => ({ ...facts, scope: scoped }));
  return {
    kind: 'scope',
    target: user,
    mail: mail ? { sender: mail.SenderFromAddress, subject: mail.Subject, time: mail.Timestamp, recipients: recipients.length } : undefined,
    recipients: rows.sort((a, b) => Number(b.flagged) - Number(a.flagged) || a.upn.localeCompare(b.upn)),
    attackerIps: [...attackerIps].sort(),
    notes,
  };
}
