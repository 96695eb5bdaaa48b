import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import type { Config } from '../config';
import { ContainError } from '../errors';
import { defaultRetryPolicy, mayRetry, parseRetryAfter, retryDelayMs, sleep, type RetryPolicy } from '../graph/retry';
import { timeSpanDays, type MailboxAuditConfig } from './audit';
import { exchangeError, isConcurrencyRefusal } from './errors';
import { smtpAddress, type MailboxForwarding } from './forwarding';
import { mergeListings, type ExchangeInboxRule, type RawInboxRule } from './rules';

/**
 * The Exchange Online admin API that the ExchangeOnlineManagement v3 module calls:
 *   POST https://outlook.office365.com/adminapi/beta/{tenant}/InvokeCommand
 *   {"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"Identity":"..."}}}
 * with an app-only token for https://outlook.office365.com/.default (Exchange.ManageAsApp plus an Exchange role).
 * It is not documented as public REST (the documented Admin API preview, adminapi/v2.0, has no inbox-rule or
 * forwarding endpoint), so Contain keeps it behind this client and falls back to PowerShell lines without it.
 * Shapes follow the module's observed traffic and public clients (ExoHelper, Microsoft Extractor Suite).
 */
export interface ExchangeClient {
  /** The tenant-scoped base, e.g. https://outlook.office365.com/adminapi/beta/<tenant id>. */
  readonly baseUrl: string;
  /** Run one cmdlet; every page of its output. */
  invoke<T = Record<string, unknown>>(cmdlet: string, parameters: Record<string, unknown>, options?: InvokeOptions): Promise<T[]>;
  getForwarding(mailbox: string, options?: CallOptions): Promise<MailboxForwarding>;
  /** Forwarding off: both addresses cleared, delivery to the mailbox only. */
  clearForwarding(mailbox: string, options?: CallOptions): Promise<void>;
  /** Every inbox rule, hidden ones marked (two listings: with and without -IncludeHidden). */
  listInboxRules(mailbox: string, options?: CallOptions): Promise<{ rules: ExchangeInboxRule[]; raw: RawInboxRule[] }>;
  /** One rule by RuleIdentity, hidden ones included, as the cmdlet prints it. */
  getInboxRule(mailbox: string, ruleIdentity: string, options?: CallOptions): Promise<RawInboxRule>;
  disableInboxRule(mailbox: string, ruleIdentity: string, options?: CallOptions): Promise<void>;
  /** Undo of a disable: the rule enabled again. */
  enableInboxRule(mailbox: string, ruleIdentity: string, options?: CallOptions): Promise<void>;
  /** Undo of a clear: the forwarding put back as the snapshot had it. */
  restoreForwarding(forwarding: MailboxForwarding, options?: CallOptions): Promise<void>;
  getAuditConfig(mailbox: string, options?: CallOptions): Promise<MailboxAuditConfig>;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface InvokeOptions extends CallOptions {
  /** The mailbox the cmdlet works on: the routing hint (X-AnchorMailbox) points at it. */
  mailbox?: string;
  /** Words for errors: "reading Alice's forwarding". */
  what?: string;
}

export interface CreateExchangeClientOptions {
  baseUrl: string;
  credential?: TokenCredential;
  retry?: Partial<RetryPolicy>;
  random?: () => number;
}

/** The system mailbox app-only calls are routed by when no user mailbox is concerned (as the module does). */
const SYSTEM_ANCHOR = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';
const PAGE_SIZE = 1000;

interface InvokePage<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

/** Token audience: the service root ("https://outlook.office365.com/.default"); the sandbox needs none. */
export function exchangeScope(baseUrl: string): string {
  return `${new URL(baseUrl).origin}/.default`;
}

/** The Exchange admin API client; reads are retried on transient failures, changes only on refusals (429). */
export function createExchangeClient(options: CreateExchangeClientOptions): ExchangeClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const tenant = /\/adminapi\/beta\/([^/]+)$/.exec(new URL(baseUrl).pathname)?.[1];
  if (!tenant)
    throw new ContainError('CONFIG_INVALID', `The Exchange admin API base URL must end with /adminapi/beta/<tenant id>: ${baseUrl}`);
  const policy = { ...defaultRetryPolicy, ...options.retry };
  const scope = exchangeScope(baseUrl);

  async function send(
    url: string,
    cmdlet: string,
    body: string,
    o: InvokeOptions,
  ): Promise<{ status: number; body: unknown; retryAfter?: string | null; requestId?: string }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-cmdletname': cmdlet,
      'x-clientapplication': 'Contain',
      'x-anchormailbox': o.mailbox ? `UPN:${o.mailbox}` : `APP:${SYSTEM_ANCHOR}@${tenant}`,
      prefer: `odata.maxpagesize=${PAGE_SIZE}`,
      'client-request-id': randomUUID(),
    };
    // The token goes only to the configured service (the URL is checked against baseUrl before we get here).
    if (options.credential) {
      const token = await options.credential.getToken(scope, { abortSignal: o.signal });
      if (!token)
        throw new ContainError('EXCHANGE_FORBIDDEN', "No token for the Exchange admin API could be obtained for Contain's identity.");
      headers.authorization = `Bearer ${token.token}`;
    }
    const res = await fetch(url, { method: 'POST', headers, body, signal: o.signal });
    const text = await res.text();
    let parsed: unknown = text;
    if (text && /json/i.test(res.headers.get('content-type') ?? '')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return {
      status: res.status,
      body: text ? parsed : undefined,
      retryAfter: res.headers.get('retry-after'),
      requestId: res.headers.get('request-id') ?? undefined,
    };
  }

  async function invoke<T>(cmdlet: string, parameters: Record<string, unknown>, o: InvokeOptions = {}): Promise<T[]> {
    const what = o.what ?? cmdlet;
    // Reads may be sent again after any transient failure; a change only after Exchange refused it unprocessed.
    const read = /^Get-/.test(cmdlet);
    const body = JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } });
    const out: T[] = [];
    let url: string | undefined = `${baseUrl}/InvokeCommand`;
    while (url) {
      if (!url.startsWith(`${baseUrl}/`))
        throw new ContainError('EXCHANGE_ERROR', `Refusing to follow an Exchange link outside ${baseUrl}.`, {
          details: { link: url.slice(0, 200) },
        });
      let [failures, throttles, throttledMs] = [0, 0, 0];
      for (;;) {
        let r: Awaited<ReturnType<typeof send>> | undefined;
        let status: number | 'network';
        try {
          r = await send(url, cmdlet, body, o);
          status = isConcurrencyRefusal(r.body) ? 429 : r.status;
        } catch (err) {
          if (err instanceof ContainError) throw err;
          if ((err as Error).name === 'AbortError' || o.signal?.aborted)
            throw new ContainError('ABORTED', `${what} was cancelled.`, { cause: err });
          status = 'network';
        }
        if (r && status !== 429 && r.status < 300) {
          const page = (r.body ?? {}) as InvokePage<T>;
          out.push(...(page.value ?? []));
          url = page['@odata.nextLink'];
          break;
        }
        if (status !== 429) failures++;
        const retry = status === 429 || (read && (status === 'network' || status === 408 || status >= 500));
        if (!retry || !mayRetry(policy, status, failures, throttledMs)) throw exchangeError(status, r?.body, what, r?.requestId);
        // Without Retry-After (the plain-text concurrency refusal has none) a throttled call backs off by its own count.
        const delay = retryDelayMs(policy, status === 429 ? ++throttles : failures, parseRetryAfter(r?.retryAfter), options.random);
        if (status === 429) throttledMs += delay;
        await sleep(delay, o.signal).catch((err: unknown) => {
          throw new ContainError('ABORTED', `${what} was cancelled.`, { cause: err });
        });
      }
    }
    return out;
  }

  const one = <T>(rows: T[], what: string): T => {
    if (rows.length !== 1) throw new ContainError('EXCHANGE_NOT_FOUND', `Exchange Online returned ${rows.length} objects for ${what}.`);
    return rows[0];
  };

  return {
    baseUrl,
    invoke,
    async getForwarding(mailbox, o = {}) {
      const what = `reading the forwarding of ${mailbox}`;
      const m = one(await invoke<Record<string, unknown>>('Get-Mailbox', { Identity: mailbox }, { ...o, mailbox, what }), what);
      return {
        mailbox,
        forwardingSmtpAddress: (m.ForwardingSmtpAddress as string | null) || null,
        forwardingAddress: (m.ForwardingAddress as string | null) || null,
        deliverToMailboxAndForward: m.DeliverToMailboxAndForward === true,
      };
    },
    async clearForwarding(mailbox, o = {}) {
      await invoke(
        'Set-Mailbox',
        { Identity: mailbox, ForwardingSmtpAddress: null, ForwardingAddress: null, DeliverToMailboxAndForward: false },
        { ...o, mailbox, what: `clearing the forwarding of ${mailbox}` },
      );
    },
    async listInboxRules(mailbox, o = {}) {
      const what = `listing the inbox rules of ${mailbox}`;
      const all = await invoke<RawInboxRule>('Get-InboxRule', { Mailbox: mailbox, IncludeHidden: true }, { ...o, mailbox, what });
      const visible = await invoke<RawInboxRule>('Get-InboxRule', { Mailbox: mailbox }, { ...o, mailbox, what });
      return { rules: mergeListings(all, visible), raw: all };
    },
    async getInboxRule(mailbox, ruleIdentity, o = {}) {
      const what = `reading inbox rule ${ruleIdentity} of ${mailbox}`;
      return one(
        await invoke<RawInboxRule>(
          'Get-InboxRule',
          { Mailbox: mailbox, Identity: checkedRule(ruleIdentity), IncludeHidden: true },
          { ...o, mailbox, what },
        ),
        what,
      );
    },
    async disableInboxRule(mailbox, ruleIdentity, o = {}) {
      // By RuleIdentity: a name may match several rules (and hidden rules often have none).
      await invoke(
        'Disable-InboxRule',
        { Mailbox: mailbox, Identity: checkedRule(ruleIdentity), AlwaysDeleteOutlookRulesBlob: true, Confirm: false },
        { ...o, mailbox, what: `disabling inbox rule ${ruleIdentity} of ${mailbox}` },
      );
    },
    async enableInboxRule(mailbox, ruleIdentity, o = {}) {
      await invoke(
        'Enable-InboxRule',
        { Mailbox: mailbox, Identity: checkedRule(ruleIdentity), AlwaysDeleteOutlookRulesBlob: true, Confirm: false },
        { ...o, mailbox, what: `enabling inbox rule ${ruleIdentity} of ${mailbox}` },
      );
    },
    async restoreForwarding(f, o = {}) {
      // ForwardingAddress as Get-Mailbox printed it (a display name) is an identity Set-Mailbox accepts back.
      const parameters = {
        Identity: f.mailbox,
        ForwardingSmtpAddress: f.forwardingSmtpAddress ? smtpAddress(f.forwardingSmtpAddress) : null,
        ForwardingAddress: f.forwardingAddress,
        DeliverToMailboxAndForward: f.deliverToMailboxAndForward,
      };
      await invoke('Set-Mailbox', parameters, { ...o, mailbox: f.mailbox, what: `restoring the forwarding of ${f.mailbox}` });
    },
    async getAuditConfig(mailbox, o = {}) {
      const what = `reading the audit configuration of ${mailbox}`;
      const m = one(await invoke<Record<string, unknown>>('Get-Mailbox', { Identity: mailbox }, { ...o, mailbox, what }), what);
      let bypass: boolean | undefined;
      try {
        const b = await invoke<{ AuditBypassEnabled?: boolean }>(
          'Get-MailboxAuditBypassAssociation',
          { Identity: mailbox },
          { ...o, mailbox, what },
        );
        bypass = b[0]?.AuditBypassEnabled === true;
      } catch (err) {
        // A role with the Mail Recipients role alone may not read it: say "unknown" rather than fail the whole read.
        if (!(err instanceof ContainError && err.code === 'EXCHANGE_FORBIDDEN')) throw err;
      }
      const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? v.split(/\s*,\s*/) : []);
      return {
        mailbox,
        auditEnabled: m.AuditEnabled === true,
        auditLogAgeLimitDays: timeSpanDays(m.AuditLogAgeLimit as string),
        auditAdmin: list(m.AuditAdmin),
        auditDelegate: list(m.AuditDelegate),
        auditOwner: list(m.AuditOwner),
        defaultAuditSet: list(m.DefaultAuditSet),
        ...(bypass === undefined ? {} : { auditBypassEnabled: bypass }),
      };
    },
  };
}

/** A RuleIdentity (a number): the only way Contain names a rule to Exchange. */
function checkedRule(ruleIdentity: string): string {
  if (!/^\d{1,20}$/.test(ruleIdentity))
    throw new ContainError('INVALID_INPUT', `"${ruleIdentity.slice(0, 40)}" is not an inbox rule's RuleIdentity.`);
  return ruleIdentity;
}

/** The client for the configured Exchange admin API, or undefined when none is configured (PowerShell lines instead). */
export function exchangeClientFromConfig(config: Pick<Config, 'exchange'>, credential?: TokenCredential): ExchangeClient | undefined {
  return config.exchange ? createExchangeClient({ baseUrl: config.exchange.apiUrl, credential }) : undefined;
}
