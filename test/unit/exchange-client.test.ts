/**
 * Contract tests: Contain's Exchange admin API client against the sandbox's emulation of it, for every operation
 * (read forwarding, clear it, list inbox rules with hidden ones, disable one, read the audit configuration), the
 * refusals, throttling and the PowerShell fallback a responder gets when the API is not available.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createExchangeClient, exchangeScope, type ExchangeClient } from '../../src/exchange/client';
import { auditWeakenings } from '../../src/exchange/audit';
import { forwardingReason } from '../../src/exchange/forwarding';
import { powershellFallback, psQuote } from '../../src/exchange/powershell';
import { stepFiveAnswers } from '../../src/exchange/rules';
import { ContainError } from '../../src/errors';
import { inboxRulesStep } from '../../src/playbook/steps/05-inbox-rules';
import type { AnalyzeContext, Discovery } from '../../src/playbook/types';
import { DEFAULT_APP } from '../../sandbox/graph/app-identity';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { ALICE_OBJECTS as A } from '../../sandbox/graph/seed-objects';
import { exchangeRequests } from '../../sandbox/exchange-api';
import { exchangeState, HIDDEN_RULE_IDENTITY, ruleIdentityOf } from '../../sandbox/exchange/state';
import { serveSandbox } from '../helpers/sandbox-server';

const ALICE = 'alice.aoki@contoso.example';
const BOB = 'bob.brown@contoso.example';
let server: Awaited<ReturnType<typeof serveSandbox>>;
let exo: ExchangeClient;

beforeAll(async () => {
  server = await serveSandbox();
  exo = createExchangeClient({ baseUrl: server.exchangeUrl, retry: { baseDelayMs: 5 }, random: () => 0 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.emulator.reset();
  server.seen.length = 0;
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ContainError,
  );
const mailbox = (upn: string) => exchangeState(server.emulator).mailboxes.find((m) => m.userId === server.emulator.user(upn).id)!;

describe('read and clear mailbox forwarding', () => {
  test('Alice forwards to an outside address and keeps a copy; a bystander forwards nothing', async () => {
    const f = await exo.getForwarding(ALICE);
    expect(f).toEqual({
      mailbox: ALICE,
      forwardingSmtpAddress: 'smtp:alice.aoki.backup@proton-mail.example',
      forwardingAddress: null,
      deliverToMailboxAndForward: true,
    });
    expect(forwardingReason(f, ['contoso.example'])).toBe(
      'forwards mail outside the organisation: every message to alice.aoki.backup@proton-mail.example (ForwardingSmtpAddress); a copy stays in the mailbox, so the user notices nothing.',
    );
    const bob = await exo.getForwarding(BOB);
    expect(bob.forwardingSmtpAddress).toBeNull();
    expect(forwardingReason(bob, ['contoso.example'])).toBeUndefined();
  });

  test('clearing sends Set-Mailbox with both addresses null and delivery to the mailbox only; the tenant then forwards nothing', async () => {
    await exo.clearForwarding(ALICE);
    const set = server.seen.find((s) => JSON.parse(s.body).CmdletInput.CmdletName === 'Set-Mailbox')!;
    expect(JSON.parse(set.body)).toEqual({
      CmdletInput: {
        CmdletName: 'Set-Mailbox',
        Parameters: { Identity: ALICE, ForwardingSmtpAddress: null, ForwardingAddress: null, DeliverToMailboxAndForward: false },
      },
    });
    expect(set.path).toMatch(/\/adminapi\/beta\/[^/]+\/InvokeCommand$/);
    expect(set.headers['x-anchormailbox']).toBe(`UPN:${ALICE}`);
    expect(set.headers['x-cmdletname']).toBe('Set-Mailbox');
    expect(set.headers.authorization).toBeUndefined();
    expect(mailbox(ALICE)).toMatchObject({ ForwardingSmtpAddress: null, ForwardingAddress: null, DeliverToMailboxAndForward: false });
    expect((await exo.getForwarding(ALICE)).forwardingSmtpAddress).toBeNull();
  });

  test("an unknown mailbox is EXCHANGE_NOT_FOUND with Exchange's words, not a raw body", async () => {
    const err = await failure(exo.getForwarding('nobody@contoso.example'));
    expect(err).toBeInstanceOf(ContainError);
    expect(err!.code).toBe('EXCHANGE_NOT_FOUND');
    expect(err!.userMessage).toContain("object 'nobody@contoso.example' couldn't be found");
    expect(err!.userMessage).not.toContain('{');
  });
});

describe('inbox rules, hidden ones included', () => {
  test("Alice's visible rules and the hidden one; Exchange's own hidden Junk E-mail Rule is left out", async () => {
    const { rules } = await exo.listInboxRules(ALICE);
    const byName = new Map(rules.map((r) => [r.displayName, r]));
    expect([...byName.keys()].sort()).toEqual(['', '.', '..', 'Newsletters']);
    expect(rules.filter((r) => r.hidden).map((r) => r.ruleIdentity)).toEqual([HIDDEN_RULE_IDENTITY]);
    expect(byName.get('.')).toMatchObject({
      ruleIdentity: ruleIdentityOf(A.ruleDot),
      hidden: false,
      isEnabled: true,
      conditions: { subjectOrBodyContains: ['invoice', 'payment', 'wire', 'bank'] },
      actions: { markAsRead: true, stopProcessingRules: true },
    });
    expect(byName.get('')!.actions).toMatchObject({
      delete: true,
      markAsRead: true,
      forwardTo: [{ emailAddress: { address: 'alice.aoki.backup@proton-mail.example' } }],
    });
    // Two listings: with -IncludeHidden (everything) and without (what clients show); the difference is hidden.
    expect(server.seen.map((s) => JSON.parse(s.body).CmdletInput)).toEqual([
      { CmdletName: 'Get-InboxRule', Parameters: { Mailbox: ALICE, IncludeHidden: true } },
      { CmdletName: 'Get-InboxRule', Parameters: { Mailbox: ALICE } },
    ]);
    const bob = await exo.listInboxRules(BOB);
    expect(bob.rules.some((r) => r.hidden)).toBe(false);
  });

  test('the rules come in the shape step 5 analyses: its own analysis flags the hidden rule and the two attacker rules, not the newsletter one', async () => {
    const { rules, raw } = await exo.listInboxRules(ALICE);
    const d: Discovery = { answers: stepFiveAnswers(rules, raw), flows: { notChecked: 'not read' } };
    const user = { id: SEED_IDS.alice, userPrincipalName: ALICE, mail: ALICE, displayName: 'Alice Aoki' };
    const a = inboxRulesStep.analyze(d, { user, window: { start: '', reason: '' }, attackerIps: new Set() } as unknown as AnalyzeContext);
    const flagged = new Map(a.proposals.map((p) => [p.objectId, p.reason]));
    expect([...flagged.keys()].sort()).toEqual(
      [`exo:${HIDDEN_RULE_IDENTITY}`, `exo:${ruleIdentityOf(A.ruleDot)}`, `exo:${ruleIdentityOf(A.ruleDotDot)}`].sort(),
    );
    expect(flagged.get(`exo:${HIDDEN_RULE_IDENTITY}`)).toMatch(
      /deletes mail.*forwards mail outside the organisation \(alice\.aoki\.backup@proton-mail\.example\)/,
    );
    expect(flagged.get(`exo:${ruleIdentityOf(A.ruleDot)}`)).toMatch(/moves mail to Deleted Items/);
    expect(flagged.get(`exo:${ruleIdentityOf(A.ruleDotDot)}`)).toMatch(/moves mail to RSS Feeds/);
  });

  test('disabling the hidden rule by its RuleIdentity: Exchange lists it disabled, Graph still cannot see it', async () => {
    await exo.disableInboxRule(ALICE, HIDDEN_RULE_IDENTITY);
    const hidden = (await exo.listInboxRules(ALICE)).rules.find((r) => r.hidden)!;
    expect(hidden.isEnabled).toBe(false);
    expect(
      JSON.parse(server.seen.find((s) => JSON.parse(s.body).CmdletInput.CmdletName === 'Disable-InboxRule')!.body).CmdletInput.Parameters,
    ).toEqual({ Mailbox: ALICE, Identity: HIDDEN_RULE_IDENTITY, AlwaysDeleteOutlookRulesBlob: true, Confirm: false });
  });

  test('disabling a visible rule changes the object Graph reads: messageRules shows isEnabled false', async () => {
    await exo.disableInboxRule(ALICE, ruleIdentityOf(A.ruleDot));
    const r = await server.emulator.handle(
      'GET',
      `/v1.0/users/${SEED_IDS.alice}/mailFolders/inbox/messageRules/${encodeURIComponent(A.ruleDot)}`,
      {},
      '',
      'http://x/graph',
    );
    expect((r.body as { isEnabled: boolean }).isEnabled).toBe(false);
  });

  test('a rule is disabled by its RuleIdentity only: a name is refused before anything is sent', async () => {
    const err = await failure(exo.disableInboxRule(ALICE, '.'));
    expect(err!.code).toBe('INVALID_INPUT');
    expect(server.seen).toEqual([]);
  });

  test('more rules than a page: the client follows @odata.nextLink and gets them all', async () => {
    const st = exchangeState(server.emulator);
    const template = st.hiddenRules.find((h) => h.RuleIdentity === HIDDEN_RULE_IDENTITY)!;
    for (let i = 0; i < 1200; i++) st.hiddenRules.push({ ...template, RuleIdentity: String(10_000 + i), Name: `r${i}` });
    const { rules } = await exo.listInboxRules(ALICE);
    expect(rules.filter((r) => r.hidden)).toHaveLength(1201);
    expect(server.seen.filter((s) => s.path.includes('$skiptoken=1000'))).toHaveLength(1);
  });
});

describe('mailbox audit configuration', () => {
  test('the default configuration reports no weakening', async () => {
    const c = await exo.getAuditConfig(ALICE);
    expect(c).toMatchObject({
      auditEnabled: true,
      auditLogAgeLimitDays: 90,
      auditBypassEnabled: false,
      defaultAuditSet: ['Admin', 'Delegate', 'Owner'],
    });
    expect(auditWeakenings(c)).toEqual([]);
  });

  test('bypass, a 7-day age limit and owner actions removed are each reported', async () => {
    Object.assign(mailbox(ALICE), {
      AuditBypassEnabled: true,
      AuditLogAgeLimit: '7.00:00:00',
      AuditOwner: ['Update', 'SoftDelete'],
      DefaultAuditSet: ['Admin', 'Delegate'],
    });
    const w = auditWeakenings(await exo.getAuditConfig(ALICE));
    expect(w.map((x) => x.setting)).toEqual(['AuditBypassEnabled', 'AuditLogAgeLimit', 'AuditOwner']);
    expect(w.find((x) => x.setting === 'AuditOwner')!.reason).toBe(
      'owner actions no longer logged: HardDelete, MoveToDeletedItems, UpdateInboxRules, UpdateFolderPermissions.',
    );
    expect(w.every((x) => x.severity === 'high')).toBe(true);
  });

  test('with a role that cannot read the bypass association, the rest is read and the bypass is "unknown", not "off"', async () => {
    server.emulator.state.app = {
      ...DEFAULT_APP,
      directoryRoles: ['Exchange Recipient Administrator'],
      exchange: { permissions: ['Exchange.ManageAsApp'], managementRoles: [] },
    };
    const c = await exo.getAuditConfig(ALICE);
    expect(c.auditEnabled).toBe(true);
    expect(c.auditBypassEnabled).toBeUndefined();
  });
});

describe('without the permission or the role: refused, and the PowerShell lines instead', () => {
  test('no Exchange.ManageAsApp: every operation is EXCHANGE_FORBIDDEN naming the fix, and nothing changes', async () => {
    server.emulator.state.app = { permissions: DEFAULT_APP.permissions, directoryRoles: DEFAULT_APP.directoryRoles };
    for (const op of [
      exo.getForwarding(ALICE),
      exo.clearForwarding(ALICE),
      exo.listInboxRules(ALICE),
      exo.disableInboxRule(ALICE, HIDDEN_RULE_IDENTITY),
      exo.getAuditConfig(ALICE),
    ]) {
      const err = await failure(op);
      expect(err!.code).toBe('EXCHANGE_FORBIDDEN');
      expect(err!.userMessage).toMatch(/Exchange\.ManageAsApp.*Exchange Administrator/);
    }
    expect(mailbox(ALICE).ForwardingSmtpAddress).toBe('smtp:alice.aoki.backup@proton-mail.example');
    expect(exchangeState(server.emulator).hiddenRules.find((h) => h.RuleIdentity === HIDDEN_RULE_IDENTITY)!.Enabled).toBe(true);
  });

  test('a read-only role: forwarding is read, rules are refused with Exchange\'s "User is not allowed to call Get-InboxRule"', async () => {
    server.emulator.state.app = { ...DEFAULT_APP, directoryRoles: ['Global Reader'] };
    expect((await exo.getForwarding(ALICE)).deliverToMailboxAndForward).toBe(true);
    const err = await failure(exo.listInboxRules(ALICE));
    expect(err!.code).toBe('EXCHANGE_FORBIDDEN');
    expect(err!.userMessage).toContain('User is not allowed to call Get-InboxRule');
    expect(err!.details.status).toBe(401);
  });

  test('the exact lines for every operation, values quoted so a hostile name cannot add a command', () => {
    expect(powershellFallback({ kind: 'readForwarding', mailbox: ALICE })).toEqual([
      'Connect-ExchangeOnline -UserPrincipalName <your admin account>',
      "Get-Mailbox -Identity 'alice.aoki@contoso.example' | Format-List ForwardingSmtpAddress,ForwardingAddress,DeliverToMailboxAndForward",
    ]);
    expect(powershellFallback({ kind: 'clearForwarding', mailbox: ALICE }).at(-1)).toBe(
      "Set-Mailbox -Identity 'alice.aoki@contoso.example' -ForwardingSmtpAddress $null -ForwardingAddress $null -DeliverToMailboxAndForward $false",
    );
    expect(powershellFallback({ kind: 'listInboxRules', mailbox: ALICE })[1]).toMatch(
      /^Get-InboxRule -Mailbox 'alice\.aoki@contoso\.example' -IncludeHidden \| Format-List Name,RuleIdentity,Enabled,/,
    );
    expect(powershellFallback({ kind: 'disableInboxRule', mailbox: ALICE, ruleIdentity: HIDDEN_RULE_IDENTITY }).at(-1)).toBe(
      `Disable-InboxRule -Mailbox 'alice.aoki@contoso.example' -Identity ${HIDDEN_RULE_IDENTITY} -Confirm:$false`,
    );
    expect(powershellFallback({ kind: 'readAuditConfig', mailbox: ALICE }).slice(1)).toEqual([
      "Get-Mailbox -Identity 'alice.aoki@contoso.example' | Format-List AuditEnabled,AuditLogAgeLimit,AuditOwner,AuditDelegate,AuditAdmin,DefaultAuditSet",
      "Get-MailboxAuditBypassAssociation -Identity 'alice.aoki@contoso.example' | Format-List AuditBypassEnabled",
      'Get-OrganizationConfig | Format-List AuditDisabled',
    ]);
    expect(psQuote("dan.o'brien@contoso.example")).toBe("'dan.o''brien@contoso.example'");
    expect(psQuote('x\u2019; Remove-Mailbox y')).toBe("'x\u2019\u2019; Remove-Mailbox y'");
    expect(() => psQuote('a\nRemove-Mailbox b')).toThrow(ContainError);
    expect(() => powershellFallback({ kind: 'disableInboxRule', mailbox: ALICE, ruleIdentity: '1; Remove-InboxRule x' })).toThrow(
      /not an inbox rule's RuleIdentity/,
    );
  });
});

describe('throttling, transient failures and tokens', () => {
  test('429 is honoured and retried, for reads and for changes (Exchange refused them unprocessed)', async () => {
    server.emulator.faults.add({ route: '^/exchange/', status: 429, retryAfter: 0.01, times: 2 });
    await exo.clearForwarding(ALICE);
    expect(exchangeRequests(server.emulator).map((r) => r.status)).toEqual([429, 429, 200]);
    expect(mailbox(ALICE).ForwardingSmtpAddress).toBeNull();
  });

  test('a 503 on a read is retried; on a change it is not (the outcome is unknown) and the error is transient', async () => {
    server.emulator.faults.add({ route: '^/exchange/', status: 503, retryAfter: 0, times: 1 });
    expect((await exo.getForwarding(ALICE)).forwardingSmtpAddress).not.toBeNull();
    server.emulator.faults.add({ route: '^/exchange/', status: 503, retryAfter: 0, times: 1, when: 'after' });
    const err = await failure(exo.clearForwarding(ALICE));
    expect(err!.code).toBe('EXCHANGE_UNAVAILABLE');
    expect(err!.transient).toBe(true);
    expect(exchangeRequests(server.emulator).filter((r) => r.cmdlet === 'Set-Mailbox')).toHaveLength(1);
  });

  test("past the tenant's concurrency the sandbox answers the plain-text refusal; the client waits and every read completes", async () => {
    server.emulator.faults.add({ route: '^/exchange/', latencyMs: 100 });
    const all = await Promise.all(
      ['alice.aoki', 'bob.brown', 'carol.chen', 'erin.evans', 'frank.fischer', 'grace.gomez'].map((u) =>
        exo.getForwarding(`${u}@contoso.example`),
      ),
    );
    expect(all).toHaveLength(6);
    expect(exchangeRequests(server.emulator).some((r) => r.status === 429)).toBe(true);
  });

  test("the token is asked for the service's audience, sent only to the configured API, and never appears in an error", async () => {
    const scopes: string[] = [];
    const credential: TokenCredential = {
      getToken: async (s) => (
        scopes.push(String(s)),
        { token: 'tok-SECRET-123', expiresOnTimestamp: Date.now() + 3_600_000 } as AccessToken
      ),
    };
    const withToken = createExchangeClient({ baseUrl: server.exchangeUrl, credential, retry: { baseDelayMs: 5 } });
    await withToken.getForwarding(ALICE);
    expect(server.seen.at(-1)!.headers.authorization).toBe('Bearer tok-SECRET-123');
    expect(scopes).toEqual([exchangeScope(server.exchangeUrl)]);
    expect(exchangeScope('https://outlook.office365.com/adminapi/beta/0c0a1e57-0000-4000-8000-00000000c0de')).toBe(
      'https://outlook.office365.com/.default',
    );
    server.emulator.state.app = { permissions: DEFAULT_APP.permissions, directoryRoles: [] };
    const err = await failure(withToken.getForwarding(ALICE));
    expect(err!.code).toBe('EXCHANGE_FORBIDDEN');
    expect(JSON.stringify({ message: err!.message, user: err!.userMessage, details: err!.details })).not.toContain('tok-SECRET');
  });

  test('a base URL that is not tenant-scoped is refused at construction', () => {
    expect(() => createExchangeClient({ baseUrl: 'https://outlook.office365.com' })).toThrow(/adminapi\/beta\/<tenant id>/);
  });
});
