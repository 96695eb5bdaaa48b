import type { LocalStack } from '../../sandbox/local-stack';
import { SEED_IDS } from '../../sandbox/graph/seed';
import type { ExtraResult } from '../../sandbox/graph/scenario-extra';
import { getContext } from '../../src/runtime';
import { recentSignInFacts } from '../../src/investigate/recent-signins';
import { attackerIps, intrusionWindow } from '../../src/playbook/window';
import { discover } from '../../src/playbook/discover';
import { containmentSteps } from '../../src/playbook/registry';
import type { ProposedAction } from '../../src/playbook/types';
import { startTestStack } from '../helpers/stack';

/**
 * POST /sandbox/scenario {"user", "extra"}: N suspicious objects of each kind on one user, every one of them proposed by
 * today's analysis (the same discovery and step modules `contain <user>` runs), for varied reasons.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());
beforeEach(() => stack.emulator.reset());

async function scenario(body: unknown): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${stack.url}/sandbox/scenario`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

/** What `contain <user>` would propose right now. */
async function proposals(userId: string): Promise<ProposedAction[]> {
  const ctx = await getContext();
  const u = stack.emulator.state.users.find((x) => x.id === userId)!;
  const target = { id: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName, mail: u.mail };
  const signIns = await recentSignInFacts(ctx, u.id);
  const window = intrusionWindow(signIns.signIns, ctx.now());
  const d = await discover(ctx, target, window.start, ctx.flows);
  return containmentSteps.flatMap(
    (s) => s.analyze(d, { user: target, window, attackerIps: attackerIps(signIns.signIns, window.start) }).proposals,
  );
}

const ten = { inboxRules: 10, methods: 10, devices: 10, apps: 10, flows: 10 };

test('10 of each kind on Alice: every added object is proposed by its own step', async () => {
  const before = await proposals(SEED_IDS.alice);
  const r = await scenario({ user: 'alice.aoki@contoso.example', extra: ten });
  expect(r.status).toBe(201);
  const { added, user } = r.body as ExtraResult;
  expect(user.id).toBe(SEED_IDS.alice);
  for (const ids of Object.values(added)) expect(new Set(ids).size).toBe(10);
  const after = await proposals(SEED_IDS.alice);
  const named = (step: number) => new Set(after.filter((p) => p.step === step).map((p) => p.objectId));
  for (const [kind, step] of [
    ['methods', 3],
    ['devices', 4],
    ['inboxRules', 5],
    ['flows', 6],
    ['apps', 7],
  ] as const) {
    expect({ kind, missing: added[kind].filter((id) => !named(step).has(id)) }).toEqual({ kind, missing: [] });
  }
  // What was proposed before is proposed still: the extras add to Alice's incident, they do not replace it.
  expect(after.length).toBeGreaterThanOrEqual(before.length + 50);
  for (const p of before) expect(after.some((q) => q.kind === p.kind && q.objectId === p.objectId)).toBe(true);
});

test("the reasons vary as an attacker's leftovers do", async () => {
  const { added } = (await scenario({ user: SEED_IDS.alice, extra: ten })).body as ExtraResult;
  const after = await proposals(SEED_IDS.alice);
  const of = (ids: string[]) => after.filter((p) => ids.includes(p.objectId));
  // Rules: ten different reasons (hiding in five folders, deleting, permanently deleting, forwarding, redirecting...).
  expect(new Set(of(added.inboxRules).map((p) => p.reason)).size).toBe(10);
  // Methods: six types, from Authenticator to an email address, some known only from the audit log.
  const methods = of(added.methods);
  expect(new Set(methods.map((p) => p.params.segment))).toEqual(
    new Set([
      'microsoftAuthenticatorMethods',
      'fido2Methods',
      'phoneMethods',
      'windowsHelloForBusinessMethods',
      'emailMethods',
      'softwareOathMethods',
    ]),
  );
  expect(methods.some((p) => /registered from attacker IP/.test(p.reason))).toBe(true);
  expect(methods.some((p) => /inside the intrusion window/.test(p.reason))).toBe(true);
  // Devices: Windows and others, joined and registered, generic names and not.
  const devices = of(added.devices);
  expect(new Set(devices.map((p) => p.params.os)).size).toBeGreaterThanOrEqual(5);
  expect(devices.some((p) => p.params.os === 'Windows') && devices.some((p) => p.params.os !== 'Windows')).toBe(true);
  expect(devices.some((p) => /generic name/.test(p.reason)) && devices.some((p) => !/generic name/.test(p.reason))).toBe(true);
  // Apps: consents (timing; punctuation name and mail scopes; localhost reply URL) and registrations (secret, certificate).
  const apps = after.filter((p) => p.step === 7);
  expect(new Set(apps.map((p) => p.kind))).toEqual(
    new Set(['disableServicePrincipal', 'removeGrant', 'removeAppSecret', 'removeAppCertificate']),
  );
  for (const why of [
    /consent given .* inside the intrusion window/,
    /only punctuation/,
    /reply URL on localhost/,
    /redirect URI on localhost/,
    /very short/,
  ])
    expect(apps.some((p) => why.test(p.reason))).toBe(true);
  // The user's own old app: only the secret added in the window goes.
  const old = stack.emulator.state.applications.find((a) => a.data.displayName === 'zz')!;
  const oldSecrets = old.data.passwordCredentials as { keyId: string; hint: string }[];
  expect(apps.filter((p) => p.kind === 'removeAppSecret' && p.objectId === old.data.id).map((p) => p.params.hint)).toEqual(['N7~']);
  expect(oldSecrets).toHaveLength(2);
  // Flows: forwarding and sending on every new mail, and merely new ones.
  const flows = of(added.flows);
  expect(
    flows.some((p) => /forwards mail every time/.test(p.reason)) &&
      flows.some((p) => /sends mail every time/.test(p.reason)) &&
      flows.some((p) => !/every time/.test(p.reason)),
  ).toBe(true);
});

test('a user with no risky sign-in gets only what is flagged without one; a new phish recipient gets a mailbox', async () => {
  // Bob has no suspicious sign-in: the window is the last 7 days and no address is the attacker's, so methods Graph
  // dates (Authenticator, FIDO2, Windows Hello) are added and those only the audit log could convict are not.
  const bob = (await scenario({ user: SEED_IDS.bob, extra: ten })).body as ExtraResult;
  const proposedForBob = new Set((await proposals(SEED_IDS.bob)).map((p) => p.objectId));
  for (const ids of Object.values(bob.added)) for (const id of ids) expect(proposedForBob.has(id)).toBe(true);
  expect(
    stack.emulator.state.methods
      .filter((m) => bob.added.methods.includes(m.id))
      .every((m) => ['microsoftAuthenticator', 'fido2', 'windowsHelloForBusiness'].includes(m.type)),
  ).toBe(true);

  const wave = (await scenario({ phishRecipients: 1, compromised: 1 })).body as { added: { id: string }[] };
  const recipient = wave.added[0].id;
  const res = await scenario({ user: recipient, extra: { inboxRules: 3, methods: 3, apps: 6 } });
  expect(res).toMatchObject({ status: 201 });
  const r = res.body as ExtraResult;
  const proposedForRecipient = new Set((await proposals(recipient)).map((p) => p.objectId));
  for (const id of [...r.added.inboxRules, ...r.added.methods, ...r.added.apps]) expect(proposedForRecipient.has(id)).toBe(true);
});

test('calls add up: ids continue, and what is added is there for Graph to read', async () => {
  const first = (await scenario({ user: SEED_IDS.alice, extra: { methods: 2, devices: 2 } })).body as ExtraResult;
  const second = (await scenario({ user: SEED_IDS.alice, extra: { methods: 2, devices: 2 } })).body as ExtraResult;
  expect(new Set([...first.added.devices, ...second.added.devices]).size).toBe(4);
  const r = await fetch(`${stack.url}/sandbox/graph/v1.0/users/${SEED_IDS.alice}/registeredDevices?$top=100`);
  const ids = ((await r.json()) as { value: { id: string }[] }).value.map((d) => d.id);
  expect([...first.added.devices, ...second.added.devices].every((id) => ids.includes(id))).toBe(true);
});

test('the input is validated and bounded; the phishing scenario keeps working', async () => {
  for (const bad of [
    { user: SEED_IDS.alice, extra: { inboxRules: 101 } },
    { user: SEED_IDS.alice, extra: { rules: 1 } },
    { user: SEED_IDS.alice, extra: { methods: -1 } },
    { user: SEED_IDS.alice, extra: { methods: 1.5 } },
    { user: SEED_IDS.alice, extra: {}, more: true },
    { user: 'nobody@contoso.example', extra: { methods: 1 } },
  ]) {
    const r = await scenario(bad);
    expect({ bad, status: r.status }).toEqual({ bad, status: 400 });
  }
  expect(stack.emulator.state.methods.filter((m) => m.id.startsWith('b2f1e000-'))).toHaveLength(0);
  const r = await scenario({ phishRecipients: 2, compromised: 1 });
  expect(r.status).toBe(201);
  expect((r.body as { added: unknown[] }).added).toHaveLength(2);
});
