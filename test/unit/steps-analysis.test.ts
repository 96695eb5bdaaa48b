import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetUser } from '../../src/incidents/model';
import { Answers } from '../../src/playbook/answers';
import { containmentSteps, playbook } from '../../src/playbook/registry';
import type { AnalyzeContext, Discovery, ReadScope, StepModule } from '../../src/playbook/types';
import { foldersOf } from '../../src/playbook/steps/05-inbox-rules';

/** What discovery read for Alice in the sandbox tenant (test/fixtures/discovery/record.ts writes it). */
const alice = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'discovery', 'alice.json'), 'utf8')) as {
  user: TargetUser;
  window: { start: string; reason: string };
  attackerIps: string[];
  answers: Record<string, { status: number; body?: unknown }>;
  flows: Discovery['flows'];
};
const context: AnalyzeContext = { user: alice.user, window: alice.window, attackerIps: new Set(alice.attackerIps) };
const discovery = (answers = alice.answers, flows = alice.flows): Discovery => ({ answers: Answers.from(answers), flows });
const step = (n: number): StepModule => containmentSteps.find((s) => s.number === n)!;
const titles = (n: number, d = discovery(), c = context) =>
  step(n)
    .analyze(d, c)
    .proposals.map((p) => p.title);
/** Alice's answers with one of them replaced. */
const replaced = (id: string, answer: { status: number; body?: unknown }) => ({ ...alice.answers, [id]: answer });
const listOf = (id: string) => (alice.answers[id].body as { value: Record<string, unknown>[] }).value;

test('the playbook is ten steps, each one file in src/playbook/steps/ named after its number', () => {
  const files = readdirSync(join(__dirname, '..', '..', 'src', 'playbook', 'steps')).filter((f) => /^\d\d-/.test(f));
  expect(playbook.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // A step may keep parts beside its module under the same number (step 5's Exchange reads, its rule judgement).
  expect([...new Set(files.map((f) => Number(f.slice(0, 2))))]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(files.filter((f) => f.startsWith('05-'))).toEqual(['05-exchange.ts', '05-inbox-rules.ts', '05-rule-reasons.ts']);
});

describe('steps 1-2: always proposed', () => {
  test('revoking sessions and resetting the password, whatever was read', () => {
    expect(titles(1, discovery({}))).toEqual(['Revoke all sessions']);
    expect(titles(2, discovery({}))).toEqual(['Reset the password']);
  });

  test('step 1 proposes confirm compromised only when Identity Protection opened the incident; no other alert, and no typed contain', () => {
    const signal = (source: string) => ({ source, title: 't', severity: 'high', at: '2026-12-01T00:00:00Z', reason: 'r' });
    const alert = (...sources: string[]) => ({ ...context, alert: { key: 'alert:x#0', signals: sources.map(signal) } });
    const withIdentityProtection = step(1).analyze(discovery({}), alert('defenderAlerts', 'identityProtection'));
    expect(withIdentityProtection.proposals.map((p) => [p.kind, p.objectId, p.params.name])).toEqual([
      ['revokeSessions', alice.user.id, undefined],
      ['confirmCompromised', alice.user.id, alice.user.displayName],
    ]);
    expect(withIdentityProtection.checked).toMatch(/Identity Protection reports the user at high risk/);
    expect(titles(1, discovery({}), alert('defenderAlerts', 'defenderIncidents'))).toEqual(['Revoke all sessions']);
    expect(step(1).analyze(discovery({}), context).checked).toBe('always proposed for a compromised account');
  });

  test('a synced account is told its password is reset on-premises', () => {
    const r = step(2).analyze(discovery(), { ...context, user: { ...alice.user, onPremisesSyncEnabled: true } });
    expect(r.checked).toBe('synced from on-premises AD');
    expect(r.proposals[0].detail).toMatch(/reset there/);
  });
});

describe('step 3: security info', () => {
  test("Alice: the methods registered in the window or from the attacker's address, never the password", () => {
    expect(titles(3)).toEqual(['Delete Microsoft Authenticator "iPhone 15"', 'Delete phone "+1 5550100199"']);
    expect(step(3).analyze(discovery(), context).proposals[1].reason).toMatch(/from attacker IP 152\.42\.161\.220/);
  });

  test('outside the window and from nobody suspicious: nothing; an unreadable list is said', () => {
    expect(titles(3, discovery(), { ...context, window: { ...context.window, start: '2099-01-01T00:00:00Z' } })).toEqual([]);
    const r = step(3).analyze(
      discovery(replaced('methods', { status: 403, body: { error: { code: 'Forbidden', message: 'No permission' } } })),
      context,
    );
    expect(r.notes).toEqual(['Authentication methods could not be read: No permission']);
  });
});

describe('step 4: devices', () => {
  test('Alice: the two devices registered in the window, counted once though both registered and owned', () => {
    expect(titles(4)).toEqual(['Disable device "DESKTOP-7Q2V9KD" (Windows)', 'Disable device "iPhone" (iOS)']);
    expect(step(4).analyze(discovery(), context).checked).toBe('3 registered or owned device(s)');
  });

  test('a disabled device is not proposed again', () => {
    const disabled = listOf('registeredDevices').map((d) => ({ ...d, accountEnabled: false }));
    const answers = {
      ...alice.answers,
      registeredDevices: { status: 200, body: { value: disabled } },
      ownedDevices: { status: 200, body: { value: disabled } },
    };
    expect(titles(4, discovery(answers))).toEqual([]);
  });
});

describe('step 5: inbox rules', () => {
  test('Alice: the two rules hiding mail, one in a folder only the second batch named', () => {
    expect(titles(5)).toEqual(['Disable inbox rule "."', 'Disable inbox rule ".."']);
    expect(step(5).analyze(discovery(), context).proposals[1].reason).toMatch(/moves mail to RSS Feeds/);
    expect(step(5).analyze(discovery(), context).notes[0]).toMatch(
      /Hidden inbox rules .* invisible to Microsoft Graph and were NOT checked/,
    );
  });

  test('a rule forwarding outside the organisation is proposed; an unreadable rule list is said', () => {
    const forwarding = {
      id: 'r9',
      displayName: 'Invoices',
      isEnabled: true,
      actions: { forwardTo: [{ emailAddress: { address: 'x@evil.example' } }] },
    };
    expect(titles(5, discovery(replaced('rules', { status: 200, body: { value: [forwarding] } })))).toEqual([
      'Disable inbox rule "Invoices"',
    ]);
    expect(
      step(5).analyze(
        discovery(replaced('rules', { status: 404, body: { error: { code: 'MailboxNotEnabledForRESTAPI', message: 'no mailbox' } } })),
        context,
      ).notes[0],
    ).toBe('Inbox rules could not be read: no mailbox');
  });

  test('a folder read by id never hides that it is a well-known hiding place, whatever order the answers came in', () => {
    const rss = alice.answers['folder:rssfeeds'].body as { id: string };
    const answers = Answers.from({
      [`folder:${rss.id}`]: { status: 200, body: { id: rss.id, displayName: 'RSS Feeds' } },
      'folder:rssfeeds': alice.answers['folder:rssfeeds'],
    });
    expect(foldersOf(answers).get(rss.id)).toEqual({ name: 'RSS Feeds', wellKnown: 'rssfeeds' });
  });
});

describe('step 6: Power Automate flows', () => {
  test("Alice: the flow created in the window that forwards new mail; the colleague's ordinary flow is left alone", () => {
    expect(titles(6)).toEqual(['Stop flow "Sync"']);
  });

  test('Power Automate not configured or unreadable: not checked, and said so', () => {
    const r = step(6).analyze(discovery(alice.answers, { notChecked: 'Power Automate is not configured' }), context);
    expect(r).toEqual({ proposals: [], checked: 'not checked', notes: ['Power Automate is not configured'] });
  });
});

describe('step 7: applications', () => {
  test("Alice: the attacker's app: sign-in off, her consent removed, the secret and certificate added in the window", () => {
    expect(titles(7)).toEqual([
      'Turn off sign-in for app ".."',
      'Remove Alice Aoki\'s consent to ".."',
      'Remove secret "x" of app ".."',
      'Remove certificate "CN=.." of app ".."',
    ]);
  });

  test("Microsoft's own apps are never proposed, whatever their traits", () => {
    const answers = Object.fromEntries(
      Object.entries(alice.answers).map(([id, a]) => [
        id,
        id.startsWith('sp:')
          ? { ...a, body: { ...(a.body as object), appOwnerOrganizationId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a' } }
          : a,
      ]),
    );
    expect(titles(7, discovery(answers)).filter((t) => /sign-in|consent/.test(t))).toEqual([]);
  });

  test('consents that could not be read are said', () => {
    const r = step(7).analyze(
      discovery(replaced('grants', { status: 403, body: { error: { code: 'Forbidden', message: 'Denied' } } })),
      context,
    );
    expect(r.notes).toEqual(['Consents could not be read: Denied']);
  });
});

describe('what each step reads', () => {
  const scope: ReadScope = { user: alice.user, since: '2026-11-30T00:43:54Z' };
  const first = (n: number) => (step(n).reads?.first?.(scope) ?? []).map((r) => r.id);

  test('first reads need only the user; steps 3 and 7 declare the same directory audit read, with the same URL', () => {
    expect([1, 2, 6].map(first)).toEqual([[], [], []]);
    expect(first(3)).toEqual(['methods', 'audits']);
    expect(first(4)).toEqual(['registeredDevices', 'ownedDevices']);
    expect(first(5)).toEqual(['rules', 'folders', 'folder:deleteditems', 'folder:junkemail']);
    expect(first(7)).toEqual(['grants', 'audits']);
    const audits = (n: number) => step(n).reads!.first!(scope).find((r) => r.id === 'audits')!.url;
    expect(audits(3)).toBe(audits(7));
  });

  test('what follows from the first answers: the other hiding places, the service principals and apps behind consents', () => {
    const firstAnswers = Answers.from(
      Object.fromEntries(
        Object.entries(alice.answers).filter(([id]) => !id.includes(':') || id === 'folder:deleteditems' || id === 'folder:junkemail'),
      ),
    );
    expect(step(5).reads!.next!(firstAnswers, scope).map((r) => r.id)).toEqual([
      'folder:archive',
      'folder:rssfeeds',
      'folder:conversationhistory',
    ]);
    expect(step(7).reads!.next!(firstAnswers, scope).map((r) => r.id)).toEqual([
      'sp:5b000000-0000-4000-8000-00000000ad01',
      'sp:5b000000-0000-4000-8000-00000000a101',
      'app:a9900000-0000-4000-8000-00000000ad01',
    ]);
  });

  test("a consented app that is neither Microsoft's nor found by object id is looked up by appId, a batch later", () => {
    const sp = { id: 'sp-x', appId: 'app-x', appOwnerOrganizationId: 'other-tenant' };
    const answers = Answers.from({
      grants: { status: 200, body: { value: [{ clientId: 'sp-x' }] } },
      'sp:sp-x': { status: 200, body: sp },
    });
    expect(step(7).reads!.next!(answers, scope).map((r) => r.id)).toEqual(['sp:sp-x', 'appid:app-x']);
  });
});
