import type { ContainContext } from '../context';
import { odataDateTime, odataString, query } from '../graph/odata';
import { huntingRows } from '../graph/hunting';
import { isGuid } from '../ids';
import type { MailCopy } from '../playbook/steps/09-other-recipients';
import { kql } from './kql';

const DAY = 86_400_000;

interface UrlRow {
  NetworkMessageId: string;
  Url: string;
}

interface EmailRow {
  Timestamp: string;
  NetworkMessageId: string;
  InternetMessageId?: string;
  SenderFromAddress: string;
  RecipientEmailAddress: string;
  RecipientObjectId?: string;
  Subject: string;
  UrlCount?: number;
  EmailDirection?: string;
}

interface TraceRow {
  messageId: string;
  senderAddress: string;
  recipientAddress: string;
  subject: string;
  receivedDateTime: string;
}

/** Where the mail is looked up: advanced hunting when licensed, else message trace. */
export interface MailSource {
  name: 'advanced hunting' | 'message trace';
  /** Inbound copies for the user in [from, to], or the copies of one named message. */
  inbound(userId: string, upn: string, from: number, to: number, messageId?: string): Promise<MailCopy[]>;
  /** The campaign in [from, to]: copies with the same sender and subject, and where the source can tell, the same links. */
  campaign(mail: MailCopy, from: number, to: number): Promise<{ copies: MailCopy[]; urls: string[] }>;
}

export function huntingSource(ctx: ContainContext): MailSource {
  const rows = <T>(q: string) => huntingRows<T>(ctx.graph, q, { what: 'advanced hunting (EmailEvents)' });
  const hunt = async (q: string) =>
    (await rows<EmailRow>(q)).map((m): MailCopy => ({
      time: m.Timestamp,
      sender: m.SenderFromAddress,
      recipient: m.RecipientEmailAddress,
      recipientId: m.RecipientObjectId,
      subject: m.Subject,
      messageId: m.InternetMessageId,
      networkMessageId: m.NetworkMessageId,
      urlCount: m.UrlCount ?? 0,
    }));
  const between = (from: number, to: number) => `Timestamp between (datetime(${odataDateTime(from)}) .. datetime(${odataDateTime(to)}))`;
  return {
    name: 'advanced hunting',
    inbound: (userId, _upn, from, to, messageId) =>
      messageId
        ? hunt(
            `EmailEvents | where ${isGuid(messageId) ? 'NetworkMessageId' : 'InternetMessageId'} == ${kql(messageId)} and ${between(from, to)}`,
          )
        : hunt(`EmailEvents | where RecipientObjectId == ${kql(userId)} and EmailDirection == "Inbound" and ${between(from, to)}`),
    campaign: async (mail, from, to) => {
      const same = (
        await hunt(
          `EmailEvents | where SenderFromAddress == ${kql(mail.sender)} and Subject == ${kql(mail.subject)} and ${between(from, to)}`,
        )
      ).map((c) => ({ ...c, via: 'same sender and subject' as const }));
      // Campaigns rotate senders and subjects but keep the link: find the other mails that carried it.
      const urls = mail.networkMessageId
        ? [
            ...new Set((await rows<UrlRow>(`EmailUrlInfo | where NetworkMessageId == ${kql(mail.networkMessageId)}`)).map((u) => u.Url)),
          ].slice(0, 10)
        : [];
      if (!urls.length) return { copies: same, urls };
      const known = new Set(same.map((c) => c.networkMessageId));
      const ids = [
        ...new Set(
          (await rows<UrlRow>(`EmailUrlInfo | where Url in (${urls.map(kql).join(', ')}) and ${between(from, to)}`)).map(
            (u) => u.NetworkMessageId,
          ),
        ),
      ]
        .filter((id) => !known.has(id))
        .slice(0, 500);
      const more = ids.length
        ? (
            await hunt(
              `EmailEvents | where NetworkMessageId in (${ids.map(kql).join(', ')}) and EmailDirection == "Inbound" and ${between(from, to)}`,
            )
          ).map((c) => ({ ...c, via: 'same link' as const }))
        : [];
      return { copies: [...same, ...more], urls };
    },
  };
}

export function traceSource(ctx: ContainContext): MailSource {
  const trace = async (filter: string) => {
    const out: MailCopy[] = [];
    for await (const m of ctx.graph.list<TraceRow>(`/admin/exchange/tracing/messageTraces${query({ $filter: filter })}`, {
      max: 5000,
      what: 'message trace',
    }))
      out.push({
        time: m.receivedDateTime,
        sender: m.senderAddress,
        recipient: m.recipientAddress,
        subject: m.subject,
        messageId: m.messageId,
      });
    return out;
  };
  // Message trace answers for at most 10 days per query (as Get-MessageTraceV2 does): keep the newest 10.
  const between = (from: number, to: number) =>
    `receivedDateTime ge ${odataDateTime(Math.max(from, to - 10 * DAY))} and receivedDateTime le ${odataDateTime(to)}`;
  return {
    name: 'message trace',
    inbound: (_userId, upn, from, to, messageId) =>
      trace(`${messageId ? `messageId eq ${odataString(messageId)}` : `recipientAddress eq ${odataString(upn)}`} and ${between(from, to)}`),
    campaign: async (mail, from, to) => ({
      copies: (await trace(`senderAddress eq ${odataString(mail.sender)} and ${between(from, to)}`))
        .filter((m) => m.subject === mail.subject)
        .map((c) => ({ ...c, via: 'same sender and subject' as const })),
      urls: [],
    }),
  };
}
