/**
 * The sandbox tenant's Exchange Online admin API: POST /sandbox/exchange/adminapi/beta/{tenant}/InvokeCommand with
 * {"CmdletInput":{"CmdletName","Parameters"}}, the endpoint the ExchangeOnlineManagement v3 module calls. It is not
 * documented as public REST; the request and answer shapes follow the module's observed traffic and the public
 * clients built on it (ExoHelper, Microsoft Extractor Suite): "value" arrays with PowerShell property names,
 * "@odata.nextLink" paging under "Prefer: odata.maxpagesize", errors as {"error":{"code","message","details":[{"message":
 * "<code>|<exception type>|<text>"}]}}. Six cmdlets are emulated (Get-Mailbox, Set-Mailbox forwarding, Get-InboxRule,
 * Disable-InboxRule, Enable-InboxRule, Get-MailboxAuditBypassAssociation); anything else is refused, never silently
 * accepted.
 *
 * Authorization as sandbox/exchange/rbac.ts models it. Throttling: no budget for this endpoint is published; the
 * sandbox refuses a fourth request in flight for the tenant with the plain-text answer public clients retry on
 * ("You have reached the maximum number of concurrent requests per tenant"). The figure 3 is a stand-in, chosen low.
 * Faults (/sandbox/faults) match the path below /sandbox followed by "#" and the cmdlet, e.g. "^/exchange/" or
 * "^/exchange/.*#Set-Mailbox$" (every cmdlet shares the one InvokeCommand path).
 */
import type { GraphEmulator } from './graph/emulator';
import { SANDBOX_APP } from './graph/app-identity';
import { DOMAIN, TENANT_ID } from './graph/ids';
import { refusalFor } from './exchange/rbac';
import { exchangeState } from './exchange/state';
import { badParameter, badValue, errorBody, ExchangeFailure, notFound } from './exchange/failures';
import { alias, mailboxOf, mailboxView, rulesOf } from './exchange/views';

const JSON_TYPE = { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;charset=utf-8' };

export interface ExchangeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  disconnect?: 'drop' | 'kill';
}

export interface ExchangeRequestLog {
  cmdlet?: string;
  mailbox?: string;
  status: number;
  time: string;
  applied: boolean;
}

/** The stand-in for the undocumented per-tenant concurrency limit. */
export const MAX_CONCURRENT_PER_TENANT = 3;
export const CONCURRENCY_REFUSAL = 'You have reached the maximum number of concurrent requests per tenant. Please wait and try again.';

const logs = new WeakMap<GraphEmulator, ExchangeRequestLog[]>();
const inFlight = new WeakMap<GraphEmulator, number>();

/** What the sandbox's Exchange admin API was asked, in order (kept apart from Graph's log). */
export function exchangeRequests(em: GraphEmulator): ExchangeRequestLog[] {
  return [...(logs.get(em) ?? [])];
}

/** Seed the Exchange side now and after every reset, so /sandbox/state always shows it. */
export function mountExchange(em: GraphEmulator): void {
  if (logs.has(em)) return;
  logs.set(em, []);
  exchangeState(em);
  em.onReset(() => {
    logs.set(em, []);
    exchangeState(em);
  });
}

/** Handle one request below /sandbox/exchange; `url` is the full request URL. */
export async function exchangeApi(
  em: GraphEmulator,
  method: string,
  url: URL,
  headers: Record<string, string | undefined>,
  bodyText: string,
): Promise<ExchangeAnswer> {
  mountExchange(em);
  const log = logs.get(em)!;
  const time = new Date().toISOString();
  let cmdlet: string | undefined;
  try {
    cmdlet = (JSON.parse(bodyText || '{}') as { CmdletInput?: { CmdletName?: string } }).CmdletInput?.CmdletName;
  } catch {
    cmdlet = undefined;
  }
  const faultPath = `${url.pathname.slice('/sandbox'.length)}#${cmdlet ?? ''}`;
  const before = em.faults.failure(method, faultPath);
  if (before) {
    log.push({ cmdlet, status: before.drop ? 0 : before.status, time, applied: false });
    return before.drop
      ? { status: 0, disconnect: 'drop' }
      : {
          status: before.status,
          headers: { ...JSON_TYPE, ...(before.retryAfter !== undefined ? { 'retry-after': String(before.retryAfter) } : {}) },
          body: { error: { code: before.code, message: before.message } },
        };
  }
  const busy = inFlight.get(em) ?? 0;
  if (busy >= MAX_CONCURRENT_PER_TENANT) {
    log.push({ cmdlet, status: 429, time, applied: false });
    return { status: 429, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: CONCURRENCY_REFUSAL };
  }
  inFlight.set(em, busy + 1);
  try {
    const latency = em.faults.latency(method, faultPath);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const res = serve(em, method, url, headers, bodyText);
    const applied = res.status < 400;
    const after = applied ? em.faults.after(method, faultPath) : undefined;
    const answered: ExchangeAnswer = after?.disconnect
      ? { status: 0, disconnect: after.disconnect }
      : after?.status
        ? { status: after.status, headers: JSON_TYPE, body: { error: { code: after.code, message: after.message } } }
        : res;
    log.push({ cmdlet, mailbox: headers['x-anchormailbox'], status: answered.status, time, applied });
    return answered;
  } finally {
    inFlight.set(em, (inFlight.get(em) ?? 1) - 1);
  }
}

function serve(em: GraphEmulator, method: string, url: URL, headers: Record<string, string | undefined>, bodyText: string): ExchangeAnswer {
  const m = /^\/sandbox\/exchange\/adminapi\/beta\/([^/]+)\/InvokeCommand$/.exec(url.pathname);
  if (!m) return { status: 404, headers: JSON_TYPE, body: { error: { code: 'NotFound', message: `No resource at ${url.pathname}.` } } };
  if (method !== 'POST')
    return { status: 405, headers: JSON_TYPE, body: { error: { code: 'MethodNotAllowed', message: 'InvokeCommand takes POST.' } } };
  const tenant = decodeURIComponent(m[1]).toLowerCase();
  if (tenant !== TENANT_ID && tenant !== DOMAIN)
    return {
      status: 404,
      headers: JSON_TYPE,
      body: { error: { code: 'NotFound', message: `The organization '${tenant}' was not found.` } },
    };
  try {
    let input: { CmdletInput?: { CmdletName?: unknown; Parameters?: unknown } };
    try {
      input = JSON.parse(bodyText || 'null') ?? {};
    } catch {
      throw new ExchangeFailure(400, 'BadRequest', 'Microsoft.OData.ODataException', 'The request body is not valid JSON.');
    }
    const name = input.CmdletInput?.CmdletName;
    const params = input.CmdletInput?.Parameters ?? {};
    if (typeof name !== 'string' || !name || typeof params !== 'object' || params === null || Array.isArray(params))
      throw new ExchangeFailure(
        400,
        'BadRequest',
        'Microsoft.OData.ODataException',
        'The request body must be {"CmdletInput":{"CmdletName":"...","Parameters":{...}}}.',
      );
    // The token and the app's roles first (no role: nothing runs), then the cmdlet, then whether a role grants it.
    const run: Cmdlet | undefined = Object.hasOwn(CMDLETS, name) ? CMDLETS[name] : undefined;
    const refusal = refusalFor(em.state.app, SANDBOX_APP.appId) ?? (run ? refusalFor(em.state.app, SANDBOX_APP.appId, name) : undefined);
    if (!refusal && !run)
      throw new ExchangeFailure(
        400,
        'BadRequest',
        'System.Management.Automation.CommandNotFoundException',
        `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program.`,
      );
    if (refusal)
      return {
        status: refusal.status,
        headers: JSON_TYPE,
        body: {
          error: {
            code: refusal.code,
            message: refusal.message,
            innererror: { message: refusal.message, type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException' },
          },
        },
      };
    const rows = run!(em, params as Record<string, unknown>, name);
    return page(rows, url, headers);
  } catch (err) {
    if (err instanceof ExchangeFailure) return { status: err.status, headers: JSON_TYPE, body: errorBody(err) };
    return {
      status: 500,
      headers: JSON_TYPE,
      body: { error: { code: 'InternalServerError', message: 'The sandbox failed this request.' } },
    };
  }
}

/** One page of output: "Prefer: odata.maxpagesize=N" (default 1000), the next page's link carrying $skiptoken. */
function page(rows: unknown[], url: URL, headers: Record<string, string | undefined>): ExchangeAnswer {
  const size = Math.min(1000, Number(/odata\.maxpagesize=(\d+)/i.exec(headers.prefer ?? '')?.[1] ?? 1000) || 1000);
  const skip = Number(url.searchParams.get('$skiptoken') ?? 0) || 0;
  const base = `${url.origin}${url.pathname.replace(/\/InvokeCommand$/, '')}`;
  const body: Record<string, unknown> = {
    '@odata.context': `${base}/$metadata#Collection(Exchange.GenericHashTable)`,
    '@adminapi.warnings': [],
    value: rows.slice(skip, skip + size),
  };
  if (skip + size < rows.length) body['@odata.nextLink'] = `${base}/InvokeCommand?$skiptoken=${skip + size}`;
  return { status: 200, headers: JSON_TYPE, body };
}

type Cmdlet = (em: GraphEmulator, p: Record<string, unknown>, name: string) => unknown[];

/** Only these parameters are emulated; the rest of each cmdlet's surface is refused by name. */
function allow(name: string, p: Record<string, unknown>, known: string[]): void {
  for (const k of Object.keys(p)) if (!known.some((x) => x.toLowerCase() === k.toLowerCase())) throw badParameter(name, k);
}
const param = (p: Record<string, unknown>, key: string) => Object.entries(p).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
function text(p: Record<string, unknown>, key: string, required = false): string | undefined {
  const v = param(p, key);
  if (v === undefined || v === null) {
    if (required)
      throw new ExchangeFailure(
        400,
        'BadRequest',
        'System.Management.Automation.ParameterBindingException',
        `Missing an argument for parameter '${key}'.`,
      );
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw badValue(key, 'a string');
  return String(v);
}
function flag(p: Record<string, unknown>, key: string): boolean | undefined {
  const v = param(p, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw badValue(key, 'a Boolean ($true or $false)');
  return v;
}

const CMDLETS: Record<string, Cmdlet> = {
  'Get-Mailbox': (em, p, name) => {
    allow(name, p, ['Identity', 'ResultSize']);
    const identity = text(p, 'Identity');
    return identity ? [mailboxView(em, identity)] : exchangeState(em).mailboxes.map((m) => mailboxView(em, m.userId));
  },
  'Set-Mailbox': (em, p, name) => {
    allow(name, p, ['Identity', 'ForwardingSmtpAddress', 'ForwardingAddress', 'DeliverToMailboxAndForward', 'Confirm', 'Force']);
    const { mbx } = mailboxOf(em, text(p, 'Identity', true)!);
    const smtp = param(p, 'ForwardingSmtpAddress');
    const internal = param(p, 'ForwardingAddress');
    const deliver = flag(p, 'DeliverToMailboxAndForward');
    // Validate everything before changing anything: a refused Set-Mailbox changes nothing.
    let smtpValue: string | null | undefined;
    if (smtp !== undefined) {
      if (smtp !== null && (typeof smtp !== 'string' || !/^(smtp:)?[^\s@]+@[^\s@]+\.[^\s@]+$/i.test(smtp)))
        throw badValue('ForwardingSmtpAddress', 'an SMTP address');
      smtpValue = smtp === null || smtp === '' ? null : `smtp:${smtp.replace(/^smtp:/i, '')}`;
    }
    const internalValue =
      internal === undefined
        ? undefined
        : internal === null || internal === ''
          ? null
          : mailboxView(em, text(p, 'ForwardingAddress')!).DisplayName;
    if (smtpValue !== undefined) mbx.ForwardingSmtpAddress = smtpValue;
    if (internalValue !== undefined) mbx.ForwardingAddress = internalValue;
    if (deliver !== undefined) mbx.DeliverToMailboxAndForward = deliver;
    return [];
  },
  'Get-InboxRule': (em, p, name) => {
    allow(name, p, ['Mailbox', 'Identity', 'IncludeHidden']);
    const { rules } = rulesOf(em, text(p, 'Mailbox', true)!, flag(p, 'IncludeHidden') === true);
    const identity = text(p, 'Identity');
    return (identity ? pick(rules, identity) : rules).map((r) => r.view);
  },
  'Disable-InboxRule': (em, p, name) => setEnabled(em, p, name, false),
  'Enable-InboxRule': (em, p, name) => setEnabled(em, p, name, true),
  'Get-MailboxAuditBypassAssociation': (em, p, name) => {
    allow(name, p, ['Identity', 'ResultSize']);
    const identity = text(p, 'Identity');
    const all = identity ? [mailboxOf(em, identity)] : exchangeState(em).mailboxes.map((m) => mailboxOf(em, m.userId));
    return all.map(({ user, mbx }) => ({
      Identity: alias(user.userPrincipalName),
      Name: alias(user.userPrincipalName),
      AuditBypassEnabled: mbx.AuditBypassEnabled,
    }));
  },
};

/** Disable-InboxRule and Enable-InboxRule: the same object Graph reads for visible rules, Exchange's own for hidden ones. */
function setEnabled(em: GraphEmulator, p: Record<string, unknown>, name: string, enabled: boolean): unknown[] {
  allow(name, p, ['Mailbox', 'Identity', 'AlwaysDeleteOutlookRulesBlob', 'Confirm', 'Force']);
  flag(p, 'AlwaysDeleteOutlookRulesBlob');
  const { rules } = rulesOf(em, text(p, 'Mailbox', true)!, true);
  const [rule] = pick(rules, text(p, 'Identity', true)!);
  if (rule.graph) (rule.graph.data as { isEnabled?: boolean }).isEnabled = enabled;
  if (rule.hidden) rule.hidden.Enabled = enabled;
  return [];
}

/** Rules matching an Identity: RuleIdentity, "alias\RuleIdentity" or Name; several by name is an error, as in Exchange. */
function pick<T extends { view: { Name: string; RuleIdentity: string } }>(rules: T[], identity: string): T[] {
  const id = identity.includes('\\') ? identity.slice(identity.lastIndexOf('\\') + 1) : identity;
  const byId = rules.filter((r) => r.view.RuleIdentity === id);
  const found = byId.length ? byId : rules.filter((r) => r.view.Name.toLowerCase() === identity.toLowerCase());
  if (!found.length) throw notFound(identity);
  if (found.length > 1)
    throw new ExchangeFailure(
      400,
      'BadRequest',
      'Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException',
      `The operation couldn't be performed because '${identity}' matches multiple entries.`,
    );
  return found;
}
