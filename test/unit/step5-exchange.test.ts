/**
 * Step 5 through the Exchange admin API: what discovery reads of Alice's mailbox, what the analysis proposes (the
 * forwarding and the hidden rule, never a Graph-visible rule twice), the audit finding, the PowerShell lines when the
 * API is not available, and the engine's calls for the two changes and their undo against the sandbox.
 */
import { DEFAULT_APP } from '../../sandbox/graph/app-identity';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { exchangeState, HIDDEN_RULE_IDENTITY } from '../../sandbox/exchange/state';
import { createExchangeClient, type ExchangeClient } from '../../src/exchange/client';
import { runExchangeCall } from '../../src/exchange/calls';
import type { Action } from '../../src/incidents/model';
import { handlerFor } from '../../src/playbook/registry';
import { exchangeStep, readExchange } from '../../src/playbook/steps/05-exchange';
import type { Call, CallResult } from '../../src/playbook/types';
import { planUndo, undoHandlerFor } from '../../src/playbook/undo/plan';
import type { UndoTarget } from '../../src/playbook/undo/types';
import { serveSandbox } from '../helpers/sandbox-server';

const ALICE = {
  id: SEED_IDS.alice,
  displayName: 'Alice Aoki',
  userPrincipalName: 'alice.aoki@contoso.example',
  mail: 'alice.aoki@contoso.example',
};
let server: Awaited<ReturnType<typeof serveSandbox>>;
let exo: ExchangeClient;
beforeAll(async () => {
  server = await serveSandbox();
  exo = createExchangeClient({ baseUrl: server.exchangeUrl, retry: { baseDelayMs: 5 }, random: () => 0 });
});
afterAll(() => server.close());
beforeEach(() => server.emulator.reset());

const mbx = () => exchangeState(server.emulator).mailboxes.find((m) => m.userId === SEED_IDS.alice)!;
const hiddenRule = () => exchangeState(server.emulator).hiddenRules.find((h) => h.RuleIdentity === HIDDEN_RULE_IDENTITY)!;
const run = async (c: Call): Promise<CallResult> => {
  if (c.api !== 'exchange') throw new Error('not an Exchange call');
  const r = await runExchangeCall(exo, c);
  if (r instanceof Error) throw r;
  return r;
};
const asAction = (p: { kind: Action['kind']; objectId: string; params: Record<string, string> }) =>
  ({ ...p, id: 'a01', incidentId: 'INC-20261125-0001' }) as unknown as Action;

describe('what step 5 reads and proposes through Exchange', () => {
  test('Alice: the outside forwarding and the hidden rule are proposed; her visible rules are left to Graph (no duplicates)', async () => {
    const d = await readExchange(exo, ALICE);
    const r = exchangeStep(d, ALICE);
    expect(r.proposals.map((p) => [p.kind, p.objectId])).toEqual([
      ['clearMailboxForwarding', SEED_IDS.alice],
      ['disableHiddenInboxRule', HIDDEN_RULE_IDENTITY],
    ]);
    expect(r.proposals[0]).toMatchObject({
      title: 'Clear the mailbox forwarding to alice.aoki.backup@proton-mail.example',
      reason: expect.stringMatching(/^forwards mail outside the organisation: every message to .* a copy stays in the mailbox/),
      params: { mailbox: ALICE.userPrincipalName },
    });
    expect(r.proposals[1]).toMatchObject({
      title: `Disable hidden inbox rule (no name, RuleIdentity ${HIDDEN_RULE_IDENTITY})`,
      reason: expect.stringMatching(/deletes mail.*forwards mail outside the organisation/),
    });
    expect(r.notes).toEqual([]);
    expect(r.checked).toBe('Exchange: forwarding set, 1 hidden rule(s), audit configuration as default');
  });

  test('a bystander: nothing proposed, and what was checked is said', async () => {
    const bob = { id: SEED_IDS.bob, displayName: 'Bob Brown', userPrincipalName: 'bob.brown@contoso.example' };
    const r = exchangeStep(await readExchange(exo, bob), bob);
    expect(r.proposals).toEqual([]);
    expect(r.checked).toBe('Exchange: forwarding off, 0 hidden rule(s), audit configuration as default');
  });

  test('a weakened audit configuration is a finding on the card: bypass and a shortened AuditLogAgeLimit', async () => {
    Object.assign(mbx(), { AuditBypassEnabled: true, AuditLogAgeLimit: '7.00:00:00' });
    const r = exchangeStep(await readExchange(exo, ALICE), ALICE);
    expect(r.notes).toEqual([
      expect.stringMatching(/^Finding: the mailbox audit configuration was weakened \(high\): AuditBypassEnabled: audit bypass is on/),
      expect.stringMatching(/AuditLogAgeLimit: audit records are kept 7 days instead of 90/),
    ]);
    expect(r.checked).toMatch(/audit configuration weakened$/);
  });

  test('without Exchange.ManageAsApp: nothing proposed, the card says forwarding and hidden rules were NOT checked and gives the PowerShell lines', async () => {
    server.emulator.state.app = { permissions: DEFAULT_APP.permissions, directoryRoles: DEFAULT_APP.directoryRoles };
    const d = await readExchange(exo, ALICE);
    expect(d).toEqual({ notChecked: expect.stringMatching(/refused .*Exchange\.ManageAsApp/) });
    const r = exchangeStep(d, ALICE);
    expect(r.proposals).toEqual([]);
    expect(r.notes[0]).toMatch(/^Hidden inbox rules and mailbox-level forwarding .* were NOT checked: The Exchange admin API refused/);
    expect(r.notes.slice(1)).toEqual([
      'Connect-ExchangeOnline -UserPrincipalName <your admin account>',
      "Get-Mailbox -Identity 'alice.aoki@contoso.example' | Format-List ForwardingSmtpAddress,ForwardingAddress,DeliverToMailboxAndForward",
      expect.stringMatching(/^Get-InboxRule -Mailbox 'alice\.aoki@contoso\.example' -IncludeHidden \| Format-List /),
      expect.stringMatching(/^Compare-Object /),
      expect.stringMatching(/^Get-Mailbox .*AuditEnabled,AuditLogAgeLimit/),
      "Get-MailboxAuditBypassAssociation -Identity 'alice.aoki@contoso.example' | Format-List AuditBypassEnabled",
      'Get-OrganizationConfig | Format-List AuditDisabled',
    ]);
  });

  test('not configured at all: the same lines, and why', async () => {
    const r = exchangeStep(await readExchange(undefined, ALICE), ALICE);
    expect(r.notes[0]).toMatch(/NOT checked: the Exchange admin API is not configured/);
    expect(r.notes).toContain('Connect-ExchangeOnline -UserPrincipalName <your admin account>');
  });
});

describe("the engine's calls: snapshot, change, read-back; then the undo from the snapshot", () => {
  test('forwarding: the settings before are the evidence, the change clears them, the read-back verifies, the undo puts them back', async () => {
    const [p] = exchangeStep(await readExchange(exo, ALICE), ALICE).proposals;
    const a = asAction(p);
    const h = handlerFor('clearMailboxForwarding');
    const evidence = (await run(h.snapshot(a))).body;
    expect(evidence).toEqual({
      mailbox: ALICE.userPrincipalName,
      forwardingSmtpAddress: 'smtp:alice.aoki.backup@proton-mail.example',
      forwardingAddress: null,
      deliverToMailboxAndForward: true,
    });
    expect(h.verified(a, evidence, await run(h.check(a)))).toBe(false);
    expect(h.outcome(a, await run(h.change(a, evidence))).outcome).toBe('succeeded');
    expect(h.verified(a, evidence, await run(h.check(a)))).toBe(true);
    expect(mbx()).toMatchObject({ ForwardingSmtpAddress: null, ForwardingAddress: null, DeliverToMailboxAndForward: false });

    const plan = planUndo({ ...a, title: p.title, step: 5, state: 'succeeded', evidence, kind: 'clearMailboxForwarding' });
    if (!plan.reversible) throw new Error(plan.why);
    const u = undoHandlerFor(plan.undo.kind);
    const target = plan.undo as UndoTarget;
    expect(u.outcome(target, await run(u.change(target, undefined))).outcome).toBe('succeeded');
    expect(u.verified(target, undefined, await run(u.check(target)))).toBe(true);
    expect(mbx()).toMatchObject({ ForwardingSmtpAddress: 'smtp:alice.aoki.backup@proton-mail.example', DeliverToMailboxAndForward: true });
  });

  test('the hidden rule: disabled by RuleIdentity and read back; enabled again by its undo', async () => {
    const [, p] = exchangeStep(await readExchange(exo, ALICE), ALICE).proposals;
    const a = asAction(p);
    const h = handlerFor('disableHiddenInboxRule');
    const evidence = (await run(h.snapshot(a))).body;
    expect(evidence).toMatchObject({ RuleIdentity: HIDDEN_RULE_IDENTITY, Enabled: true, DeleteMessage: true });
    expect(h.outcome(a, await run(h.change(a, evidence))).outcome).toBe('succeeded');
    expect(h.verified(a, evidence, await run(h.check(a)))).toBe(true);
    expect(hiddenRule().Enabled).toBe(false);
    const plan = planUndo({ ...a, title: p.title, step: 5, state: 'succeeded', evidence, kind: 'disableHiddenInboxRule' });
    if (!plan.reversible) throw new Error(plan.why);
    const u = undoHandlerFor(plan.undo.kind);
    expect(u.outcome(plan.undo, await run(u.change(plan.undo, undefined))).outcome).toBe('succeeded');
    expect(u.verified(plan.undo, undefined, await run(u.check(plan.undo)))).toBe(true);
    expect(hiddenRule().Enabled).toBe(true);
  });

  test('a refusal is an answer (nothing was made) with the PowerShell line to do it by hand; no answer stays unknown', async () => {
    const [p] = exchangeStep(await readExchange(exo, ALICE), ALICE).proposals;
    const a = asAction(p);
    server.emulator.state.app = { ...DEFAULT_APP, directoryRoles: ['Global Reader'] };
    const r = await run(handlerFor('clearMailboxForwarding').change(a, undefined));
    expect(r.status).toBe(403);
    const outcome = handlerFor('clearMailboxForwarding').outcome(a, r);
    expect(outcome).toMatchObject({ outcome: 'failed', code: 'EXCHANGE_FORBIDDEN' });
    expect(outcome.message).toMatch(
      /User is not allowed to call Set-Mailbox.*Set-Mailbox -Identity 'alice\.aoki@contoso\.example' -ForwardingSmtpAddress \$null/,
    );
    server.emulator.state.app = DEFAULT_APP;
    server.emulator.faults.add({ route: '#Set-Mailbox$', status: 503, when: 'after', times: 1 });
    const lost = await runExchangeCall(exo, { api: 'exchange', op: 'clearForwarding', mailbox: ALICE.userPrincipalName });
    expect(lost).toBeInstanceOf(Error);
    expect((lost as { transient: boolean }).transient).toBe(true);
    expect(mbx().ForwardingSmtpAddress).toBeNull(); // it was made: the engine reads back before sending again
  });
});
