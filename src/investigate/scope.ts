import type { ContainContext } from '../context';
import { findUser, type UserQuery } from '../directory/find-user';
import { ContainError } from '../errors';
import { subError } from '../graph/batch';
import { batchList } from '../graph/batch-list';
import { odataDateTime, odataString } from '../graph/odata';
import type { ScopeView } from '../views/types';
import { betaSignInsPath, fromSignIn } from './formats/graph';
import type { LogRecord } from './record';
import { readGraphRecords } from './graph-records';
import { recordOnIncident } from '../incidents/threads';
import type { Progress } from './live';
import type { Investigated } from './publish';
import { huntingSource, traceSource, type MailSource } from './mail-sources';
import { scopeMarkdown } from './result-markdown';
import { MESSAGE_TRACE_FIX, isMissingMessageTracePrincipal } from '../doctor/fixes';
import { otherRecipients, phishingMail, type MailCopy } from '../playbook/steps/09-other-recipients';
import { attackerTraits, judgeRecipient, recipientSignIns, signInQueries } from '../playbook/steps/10-recipient-signins';

const DAY = 86_400_000;

const unlicensed = (err: unknown) => err instanceof ContainError && (err.code === 'GRAPH_FORBIDDEN' || err.code === 'GRAPH_UNLICENSED');

/**
 * Steps 9-10: the phishing mail (named with --message, or else the last inbound mail with links before the first
 * suspicious sign-in), its other recipients (same sender and subject within a day), and each recipient's sign-ins
 * from an hour before receipt to a day after, flagged when they share the attacker's IP, network (ASN) or user agent
 * or look like an AiTM replay. Advanced hunting when licensed; message trace otherwise.
 */
export async function scopeUser(
  ctx: ContainContext,
  q: UserQuery,
  options: { sinceDays?: number; messageId?: string; signal?: AbortSignal; progress?: Progress } = {},
): Promise<Investigated<ScopeView>> {
  const found = await findUser(ctx, q);
  if (found.kind === 'many') throw new ContainError('USER_AMBIGUOUS', `Several users match "${q.value}"; use the UPN.`);
  const user = found.user;
  const notes: string[] = [];
  const progress = options.progress ?? (async () => undefined);
  const now = ctx.now().getTime();
  const since = odataDateTime(now - (options.sinceDays ?? 7) * DAY);

  // What the attacker looked like in this user's sign-ins.
  const { records: own, unreadable } = await readGraphRecords(
    ctx,
    betaSignInsPath(`userId eq ${odataString(user.id)} and createdDateTime ge ${since}`, 1000),
    { version: 'beta', what: 'sign-in logs', map: fromSignIn },
  );
  if (unreadable) notes.push(`Sign-in logs: ${unreadable.userMessage}`);
  const attacker = attackerTraits(own);
  const firstBad = attacker.firstSeen ? Date.parse(attacker.firstSeen) : now;

  await progress(
    options.messageId
      ? 'Looking up the named message and its other recipients…'
      : 'Looking for the phishing mail and its other recipients…',
  );
  let source: MailSource = huntingSource(ctx);
  const find = async (s: MailSource) => {
    const from = options.messageId ? now - 30 * DAY : Date.parse(since);
    const inbound = await s.inbound(user.id, user.userPrincipalName, from, options.messageId ? now : firstBad, options.messageId);
    const mail = phishingMail(inbound, {
      named: !!options.messageId,
      countsLinks: s.name === 'advanced hunting',
      userDomain: user.userPrincipalName.split('@')[1]?.toLowerCase(),
    });
    if (!mail) return { mail, copies: [] as MailCopy[], urls: [] as string[] };
    const t = Date.parse(mail.time);
    return { mail, ...(await s.campaign(mail, t - DAY, t + DAY)) };
  };
  let mail: MailCopy | undefined;
  let copies: MailCopy[] = [];
  let urls: string[] = [];
  try {
    try {
      ({ mail, copies, urls } = await find(source));
    } catch (err) {
      if (!unlicensed(err)) throw err;
      notes.push(
        `Advanced hunting is not available (needs Microsoft Defender for Office 365 Plan 2 and ThreatHunting.Read.All): ${(err as ContainError).userMessage} Used message trace instead.`,
      );
      source = traceSource(ctx);
      ({ mail, copies, urls } = await find(source));
    }
    if (!mail)
      notes.push(
        options.messageId
          ? `No message with id ${options.messageId} in the last ${source.name === 'message trace' ? 10 : 30} days.`
          : 'No inbound mail with links reached the user before the first suspicious sign-in; name the message with --message <Internet message id>.',
      );
    else if (!options.messageId && source.name === 'message trace')
      notes.push(
        'Message trace does not count links: the mail was picked as the last external mail before the first suspicious sign-in. If that is wrong, name it with --message.',
      );
  } catch (err) {
    if (!unlicensed(err)) throw err;
    // A 401 from message trace is a tenant setup step (Microsoft's service principal is missing), not a permission.
    const details = (err as ContainError).details as { status?: number; graphMessage?: string };
    notes.push(
      isMissingMessageTracePrincipal(details.status, details.graphMessage)
        ? `Message trace is not set up in this tenant: provision the message-trace service principal. ${MESSAGE_TRACE_FIX} Until then the other recipients cannot be listed.`
        : `Message trace is not available either (needs ExchangeMessageTrace.Read.All): ${(err as ContainError).userMessage}`,
    );
  }

  // Step 10: each other recipient's sign-ins around receipt, one paced query per group of recipients, joined back here.
  const { others, reached } = otherRecipients(copies, user);
  const queries = signInQueries(others);
  if (others.length)
    await progress(
      `Checking the sign-ins of ${others.length} other recipient${others.length === 1 ? '' : 's'}${queries.length > 1 ? ` in ${queries.length} queries (sign-in reads are limited to 5 every 10 s)` : ''}…`,
    );
  const read = await batchList<Record<string, unknown>>(
    ctx.graph,
    queries.map((q, i) => ({ id: `g${i}`, url: q.path })),
    { version: 'beta', signal: options.signal },
  );
  const signInsOf = new Map<MailCopy, { signIns: LogRecord[] } | { failed: string }>();
  queries.forEach((q, i) => {
    const got = read.get(`g${i}`)!;
    const all = got.items
      .map((x) => ({ raw: x, rec: fromSignIn(x) }))
      .filter((x): x is { raw: Record<string, unknown>; rec: LogRecord } => !!x.rec);
    const failed = got.failed && (got.failed.status ? (subError(got.failed).message ?? `HTTP ${got.failed.status}`) : 'no answer');
    for (const r of q.recipients) signInsOf.set(r, failed ? { failed } : { signIns: recipientSignIns(r, all) });
  });
  const tie = (r: MailCopy) => ({
    via: r.via ?? ('same sender and subject' as const),
    ...(mail && r.subject !== mail.subject ? { subject: r.subject } : {}),
  });
  const rows = others.map((r) => {
    const got = signInsOf.get(r)!;
    if ('failed' in got)
      return { upn: r.recipient, received: r.time, ...tie(r), flagged: false, reasons: [`sign-ins could not be read: ${got.failed}`] };
    const reasons = judgeRecipient(got.signIns, attacker);
    return {
      upn: r.recipient,
      received: r.time,
      ...tie(r),
      flagged: reasons.length > 0,
      reasons,
      ...(r.recipientId ? { userId: r.recipientId.toLowerCase() } : {}),
    };
  });
  if (others.length)
    await progress(
      `Checked the sign-ins of ${others.length} other recipient${others.length === 1 ? '' : 's'}: ${rows.filter((r) => r.flagged).length} look compromised.`,
    );
  const mailView = mail
    ? {
        sender: mail.sender,
        subject: mail.subject,
        time: mail.time,
        recipients: reached,
        messageId: mail.messageId,
        source: source.name,
        urls,
      }
    : undefined;
  await recordOnIncident(ctx, user.id, (facts) => ({
    ...facts,
    scope: {
      mail: mailView && { sender: mailView.sender, subject: mailView.subject, time: mailView.time, recipients: mailView.recipients },
      recipients: rows.map(({ upn, flagged, reasons }) => ({ upn, flagged, reasons })),
    },
  }));
  const view: ScopeView = {
    kind: 'scope',
    target: user,
    mail: mailView,
    recipients: rows.sort((a, b) => Number(b.flagged) - Number(a.flagged) || a.upn.localeCompare(b.upn)),
    attackerIps: [...attacker.ips].sort(),
    notes,
  };
  return {
    view,
    full: {
      user: user.userPrincipalName,
      mail: mailView ?? null,
      recipients: view.recipients,
      attackerIps: view.attackerIps,
      attackerAsns: [...attacker.asns].sort((a, b) => a - b),
      attackerUserAgents: [...attacker.userAgents],
      notes,
    },
    markdown: scopeMarkdown(view, new Date(now).toISOString()),
  };
}
