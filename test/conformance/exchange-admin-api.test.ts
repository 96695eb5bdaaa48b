/**
 * The sandbox's Exchange Online admin API (sandbox/exchange-api.ts) against what is known of the real one. The
 * InvokeCommand endpoint is not documented as public REST: where Microsoft documents a behaviour the test cites it,
 * otherwise it cites the most-cited public evidence and says so.
 *  - Request/response shape: https://michev.info/blog/post/5822 (all you need to know about Exchange Online Admin
 *    API) and GreyCorbel/ExoHelper (Invoke-ExoCommand.ps1: CmdletInput, X-AnchorMailbox, Prefer odata.maxpagesize,
 *    value / @odata.nextLink / @adminapi.warnings; Get-ExoException.ps1: details[].message "code|type|text").
 *  - Permissions: https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2 (Exchange.ManageAsApp,
 *    the supported Entra roles, custom role groups through service principals).
 *  - Cmdlets: https://learn.microsoft.com/powershell/module/exchangepowershell/get-inboxrule (-IncludeHidden; not for
 *    View-Only Organization Management / Global Reader), .../disable-inboxrule, .../set-mailbox (forwarding),
 *    .../get-mailboxauditbypassassociation.
 */
import { GraphEmulator } from '../../sandbox/graph/emulator';
import { DEFAULT_APP, SANDBOX_APP } from '../../sandbox/graph/app-identity';
import { TENANT_ID } from '../../sandbox/graph/ids';
import { ALICE_OBJECTS as A } from '../../sandbox/graph/seed-objects';
import { CONCURRENCY_REFUSAL, exchangeApi, MAX_CONCURRENT_PER_TENANT } from '../../sandbox/exchange-api';
import { ATTACKER_FORWARDING, exchangeState, HIDDEN_RULE_IDENTITY, ruleIdentityOf } from '../../sandbox/exchange/state';

const ALICE = 'alice.aoki@contoso.example';
const url = (tenant = TENANT_ID, q = '') => new URL(`http://127.0.0.1/sandbox/exchange/adminapi/beta/${tenant}/InvokeCommand${q}`);
const invoke = (
  em: GraphEmulator,
  CmdletName: string,
  Parameters: Record<string, unknown> = {},
  o: { tenant?: string; prefer?: string; q?: string } = {},
) =>
  exchangeApi(
    em,
    'POST',
    url(o.tenant, o.q),
    { 'x-anchormailbox': `UPN:${ALICE}`, ...(o.prefer ? { prefer: o.prefer } : {}) },
    JSON.stringify({ CmdletInput: { CmdletName, Parameters } }),
  );
const rows = (r: { body?: unknown }) => (r.body as { value: Record<string, unknown>[] }).value;
const error = (r: { body?: unknown }) => (r.body as { error: { code: string; message: string; details?: { message: string }[] } }).error;

describe('request and answer shapes (michev.info post 5822; GreyCorbel/ExoHelper)', () => {
  test('a cmdlet answers 200 {"@odata.context","@adminapi.warnings","value":[...]} with PowerShell property names', async () => {
    const em = new GraphEmulator();
    const r = await invoke(em, 'Get-Mailbox', { Identity: ALICE });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ '@odata.context': expect.stringContaining('$metadata#'), '@adminapi.warnings': [] });
    expect(rows(r)).toEqual([
      expect.objectContaining({
        UserPrincipalName: ALICE,
        ForwardingSmtpAddress: ATTACKER_FORWARDING,
        ForwardingAddress: null,
        DeliverToMailboxAndForward: true,
        AuditLogAgeLimit: '90.00:00:00',
      }),
    ]);
  });

  test('"Prefer: odata.maxpagesize" pages the output; @odata.nextLink carries the rest', async () => {
    const em = new GraphEmulator();
    const first = await invoke(em, 'Get-Mailbox', {}, { prefer: 'odata.maxpagesize=5' });
    expect(rows(first)).toHaveLength(5);
    const next = (first.body as { '@odata.nextLink': string })['@odata.nextLink'];
    expect(next).toMatch(/\/InvokeCommand\?\$skiptoken=5$/);
    const second = await invoke(em, 'Get-Mailbox', {}, { prefer: 'odata.maxpagesize=5', q: '?$skiptoken=5' });
    expect(rows(second)[0].UserPrincipalName).not.toBe(rows(first)[0].UserPrincipalName);
  });

  test('errors carry details[].message as "<code>|<exception type>|<text>" (ExoHelper Get-ExoException.ps1)', async () => {
    const em = new GraphEmulator();
    const r = await invoke(em, 'Get-Mailbox', { Identity: 'nobody@contoso.example' });
    expect(r.status).toBe(404);
    expect(error(r).details![0].message.split('|')).toEqual([
      expect.stringMatching(/^Ex[0-9A-F]{6}$/),
      'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
      expect.stringContaining("couldn't be found"),
    ]);
  });

  test('only the emulated cmdlets and parameters run; anything else is refused by name, never ignored', async () => {
    const em = new GraphEmulator();
    expect(error(await invoke(em, 'Remove-Mailbox', { Identity: ALICE })).message).toMatch(
      /CommandNotFoundException\|The term 'Remove-Mailbox' is not recognized/,
    );
    expect(error(await invoke(em, 'Set-Mailbox', { Identity: ALICE, HiddenFromAddressListsEnabled: true })).message).toMatch(
      /parameter name 'HiddenFromAddressListsEnabled'/,
    );
    expect(error(await invoke(em, 'constructor')).message).toMatch(/not recognized/);
    expect((await exchangeApi(em, 'POST', url(), {}, '{not json')).status).toBe(400);
    expect((await invoke(em, 'Get-Mailbox', { Identity: ALICE }, { tenant: 'someone-else.onmicrosoft.com' })).status).toBe(404);
  });
});

describe('mailbox forwarding (Set-Mailbox: ForwardingSmtpAddress, ForwardingAddress, DeliverToMailboxAndForward)', () => {
  test('Alice forwards to an outside smtp: address and keeps a copy; bystanders forward nothing', async () => {
    const em = new GraphEmulator();
    const all = rows(await invoke(em, 'Get-Mailbox'));
    expect(all.filter((m) => m.ForwardingSmtpAddress || m.ForwardingAddress).map((m) => m.UserPrincipalName)).toEqual([ALICE]);
  });

  test('clearing takes $null for both addresses and $false for delivery; an invalid address is refused and changes nothing', async () => {
    const em = new GraphEmulator();
    const bad = await invoke(em, 'Set-Mailbox', {
      Identity: ALICE,
      ForwardingSmtpAddress: 'not an address',
      DeliverToMailboxAndForward: false,
    });
    expect(bad.status).toBe(400);
    expect(exchangeState(em).mailboxes.find((m) => m.ForwardingSmtpAddress)!.DeliverToMailboxAndForward).toBe(true);
    expect(error(await invoke(em, 'Set-Mailbox', { Identity: ALICE, DeliverToMailboxAndForward: 'no' })).message).toMatch(/Boolean/);
    expect(
      (
        await invoke(em, 'Set-Mailbox', {
          Identity: ALICE,
          ForwardingSmtpAddress: null,
          ForwardingAddress: null,
          DeliverToMailboxAndForward: false,
        })
      ).status,
    ).toBe(200);
    expect(rows(await invoke(em, 'Get-Mailbox', { Identity: ALICE }))[0]).toMatchObject({
      ForwardingSmtpAddress: null,
      ForwardingAddress: null,
      DeliverToMailboxAndForward: false,
    });
  });
});

describe('inbox rules (Get-InboxRule -IncludeHidden, Disable-InboxRule)', () => {
  test("hidden rules are listed only with -IncludeHidden; Exchange's Junk E-mail Rule is one of them", async () => {
    const em = new GraphEmulator();
    const visible = rows(await invoke(em, 'Get-InboxRule', { Mailbox: ALICE }));
    const all = rows(await invoke(em, 'Get-InboxRule', { Mailbox: ALICE, IncludeHidden: true }));
    expect(visible.map((r) => r.Name)).toEqual(['.', '..', 'Newsletters']);
    expect(all.filter((r) => !visible.some((v) => v.RuleIdentity === r.RuleIdentity)).map((r) => r.RuleIdentity)).toEqual([
      expect.any(String),
      HIDDEN_RULE_IDENTITY,
    ]);
    expect(all.find((r) => r.Name === 'Junk E-mail Rule')).toBeDefined();
    expect(visible.find((r) => r.Name === '.')).toMatchObject({
      RuleIdentity: ruleIdentityOf(A.ruleDot),
      Identity: `alice.aoki\\${ruleIdentityOf(A.ruleDot)}`,
      MoveToFolder: 'Alice Aoki:\\Deleted Items',
      MarkAsRead: true,
    });
  });

  test('Disable-InboxRule by RuleIdentity disables the rule Graph reads too; a name matching several rules is ambiguous', async () => {
    const em = new GraphEmulator();
    expect((await invoke(em, 'Disable-InboxRule', { Mailbox: ALICE, Identity: ruleIdentityOf(A.ruleDotDot), Confirm: false })).status).toBe(
      200,
    );
    expect(em.state.rules.find((r) => r.data.id === A.ruleDotDot)!.data.isEnabled).toBe(false);
    const st = exchangeState(em);
    st.hiddenRules.push({ ...st.hiddenRules.find((h) => h.RuleIdentity === HIDDEN_RULE_IDENTITY)!, RuleIdentity: '42', Name: '.' });
    const r = await invoke(em, 'Disable-InboxRule', { Mailbox: ALICE, Identity: '.' });
    expect(r.status).toBe(400);
    expect(error(r).message).toMatch(
      /ManagementObjectAmbiguousException\|The operation couldn't be performed because '\.' matches multiple entries\./,
    );
  });
});

describe('app-only permissions (app-only-auth-powershell-v2)', () => {
  test('without Exchange.ManageAsApp in the token: 401 for every cmdlet (the body is not public)', async () => {
    const em = new GraphEmulator();
    em.state.app = { permissions: DEFAULT_APP.permissions, directoryRoles: DEFAULT_APP.directoryRoles };
    const r = await invoke(em, 'Get-Mailbox', { Identity: ALICE });
    expect(r.status).toBe(401);
    expect(error(r).code).toBe('Unauthorized');
  });

  test('with the permission but no supported role: the message Connect-ExchangeOnline reports (status unverified)', async () => {
    const em = new GraphEmulator();
    em.state.app = { ...DEFAULT_APP, directoryRoles: ['User Administrator', 'Cloud Device Administrator'] };
    const r = await invoke(em, 'Get-Mailbox', { Identity: ALICE });
    expect(r.status).toBe(401);
    expect(error(r).message).toBe(
      `The role assigned to application ${SANDBOX_APP.appId} isn't supported in this scenario. Please check online documentation for assigning correct Directory Roles to Azure AD Application for EXO App-Only Authentication.`,
    );
  });

  test('a role without the cmdlet: 401 "User is not allowed to call ..." (MicrosoftDocs/office-docs-powershell#7970); Get-InboxRule is not for Global Reader', async () => {
    const em = new GraphEmulator();
    em.state.app = { ...DEFAULT_APP, directoryRoles: ['Global Reader'] };
    expect((await invoke(em, 'Get-Mailbox', { Identity: ALICE })).status).toBe(200);
    const r = await invoke(em, 'Get-InboxRule', { Mailbox: ALICE });
    expect(r.status).toBe(401);
    expect(error(r).message).toBe('User is not allowed to call Get-InboxRule');
  });

  test('a custom role group (Option 2) grants exactly its roles: Mail Recipients without View-Only Configuration cannot read the bypass association', async () => {
    const em = new GraphEmulator();
    em.state.app = {
      ...DEFAULT_APP,
      directoryRoles: [],
      exchange: { permissions: ['Exchange.ManageAsApp'], managementRoles: ['Mail Recipients'] },
    };
    expect((await invoke(em, 'Disable-InboxRule', { Mailbox: ALICE, Identity: HIDDEN_RULE_IDENTITY })).status).toBe(200);
    expect((await invoke(em, 'Get-MailboxAuditBypassAssociation', { Identity: ALICE })).status).toBe(401);
    em.state.app.exchange!.managementRoles.push('View-Only Configuration');
    expect(rows(await invoke(em, 'Get-MailboxAuditBypassAssociation', { Identity: ALICE }))).toEqual([
      { Identity: 'alice.aoki', Name: 'alice.aoki', AuditBypassEnabled: false },
    ]);
  });
});

describe('throttling (no budget published for this endpoint)', () => {
  test(`a request beyond ${MAX_CONCURRENT_PER_TENANT} in flight for the tenant gets 429 and the plain-text refusal ExoHelper retries on`, async () => {
    const em = new GraphEmulator();
    em.faults.add({ route: '^/exchange/', latencyMs: 50 });
    const answers = await Promise.all(
      Array.from({ length: MAX_CONCURRENT_PER_TENANT + 1 }, () => invoke(em, 'Get-Mailbox', { Identity: ALICE })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 429]);
    expect(answers.find((a) => a.status === 429)!.body).toBe(CONCURRENCY_REFUSAL);
  });
});
