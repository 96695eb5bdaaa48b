import type { LocalStack } from '../../sandbox/local-stack';
import { ALICE_OBJECTS as A } from '../../sandbox/graph/seed-objects';
import { DEFAULT_APP, MESSAGE_TRACE_APP_ID } from '../../sandbox/graph/app-identity';
import { getContext } from '../../src/runtime';
import type { Action } from '../../src/incidents/model';
import { startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, channelMention, executeInvoke, post, cardsOf, json as text } from '../helpers/teams';

const CONV = '19:soc-incidents@thread.tacv2;messageid=1';

async function say(stack: LocalStack, words: string, needle: string, who = PEOPLE.riley): Promise<Record<string, unknown>> {
  const before = new Set(stack.connector.all().map((r) => r.activityId));
  await post(stack, channelMention(stack, who, words));
  const r = await waitFor(() => stack.connector.all().find((x) => x.op !== 'update' && !before.has(x.activityId) && text(cardsOf(x)).includes(needle)), { what: `"${needle}" after "${words}"` });
  return cardsOf(r)[0];
}

async function open(stack: LocalStack, who: string): Promise<{ incidentId: string; actions: Action[]; card: Record<string, unknown> }> {
  const card = await say(stack, `contain ${who}`, 'INC-');
  const incidentId = /(INC-\d{8}-\d{4})/.exec(text(card))![1];
  return { incidentId, card, actions: await (await getContext()).store.listActions(incidentId) };
}

const settle = async (incidentId: string) =>
  waitFor(async () => {
    const all = await (await getContext()).store.listActions(incidentId);
    return all.every((a) => !['approved', 'running'].includes(a.state)) ? all : undefined;
  }, { what: 'actions to finish', timeoutMs: 30_000 });

const putJson = (stack: LocalStack, path: string, body: unknown) => fetch(`${stack.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('Contain within the app\'s documented rights', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    await stack.idle();
    await fetch(`${stack.url}/sandbox/reset`, { method: 'POST' });
  });

  test('a role removed after the incident opened: step 2\'s 403 names the missing role and the exact fix; the rest still runs', async () => {
    const { incidentId, actions } = await open(stack, 'alice');
    await putJson(stack, '/sandbox/app', { permissions: DEFAULT_APP.permissions, directoryRoles: ['Cloud Device Administrator'] });
    const pw = actions.find((a) => a.kind === 'resetPassword')!;
    const revoke = actions.find((a) => a.kind === 'revokeSessions')!;
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref: `${incidentId}/${pw.id}` }, CONV));
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref: `${incidentId}/${revoke.id}` }, CONV));
    const done = await settle(incidentId);
    const failed = done.find((a) => a.id === pw.id)!;
    expect(failed.state).toBe('failed');
    expect(failed.result!.code).toBe('NEEDS_ROLE');
    expect(failed.result!.message).toMatch(/needs the User Administrator directory role.*Roles & admins > User Administrator > Add assignments.*"roleDefinitionId":"fe930be7-5e62-47db-91af-98c3a49a38b1"/);
    expect(done.find((a) => a.id === revoke.id)!.state).toBe('succeeded');
  });

  test('flows are judged by what the admin list carries: a flow forwarding every new mail is flagged, and the card says recipients are not visible', async () => {
    const { actions } = await open(stack, 'alice');
    const flow = actions.find((a) => a.objectId === A.flowAttacker)!;
    expect(flow.reason).toMatch(/forwards mail every time new mail arrives \(OnNewEmailV3 \(Office 365 Outlook\) then ForwardEmail_V2 \(Office 365 Outlook\)\)/);
    expect(flow.detail).toContain('The admin API does not show recipients');
    expect(actions.some((a) => a.objectId === A.flowLegit)).toBe(false);
  });

  test('removing one certificate sends the others back whole: they survive with their key', async () => {
    const app = stack.emulator.state.applications.find((x) => x.data.id === A.appAttacker)!;
    const keep = { keyId: 'ce500000-0000-4000-8000-00000000b0b2', displayName: 'CN=kept', type: 'AsymmetricX509Cert', usage: 'Verify', startDateTime: '2020-01-01T00:00:00Z', endDateTime: '2030-01-01T00:00:00Z', customKeyIdentifier: 'QkJCQg==', key: 'TUlJQ2tlcHQ=' };
    (app.data.keyCredentials as unknown[]).push(keep);
    const { incidentId, actions } = await open(stack, 'alice');
    const cert = actions.find((a) => a.kind === 'removeAppCertificate' && a.params.keyId === A.attackerCert)!;
    await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve', { ref: `${incidentId}/${cert.id}` }, CONV));
    const done = (await settle(incidentId)).find((a) => a.id === cert.id)!;
    expect(done.state).toBe('succeeded');
    expect(done.result!.verified).toBe(true);
    expect(app.data.keyCredentials).toEqual([keep]);
  });

  test('an app not registered with Power Platform: step 6 says "not checked" with the registration command', async () => {
    await putJson(stack, '/sandbox/tenant', { powerPlatformManagementApp: false });
    const { incidentId, actions } = await open(stack, 'alice');
    expect(actions.some((a) => a.kind === 'stopFlow')).toBe(false);
    const step6 = (await (await getContext()).store.getIncident(incidentId))!.facts.steps!.find((s) => s.step === 6)!;
    expect(step6.checked).toBe('not checked');
    expect(step6.notes[0]).toMatch(/not registered as a Power Platform management app.*pac admin application register --application-id c0a7a1e0-/);
  });

  test('scope without the message-trace service principal says what to provision, not "missing permission"', async () => {
    // Without advanced hunting (no ThreatHunting.Read.All) scope falls back to message trace.
    await putJson(stack, '/sandbox/app', { permissions: DEFAULT_APP.permissions.filter((p) => p !== 'ThreatHunting.Read.All'), directoryRoles: DEFAULT_APP.directoryRoles });
    await putJson(stack, '/sandbox/tenant', { messageTraceServicePrincipal: false });
    const t = text(await say(stack, 'scope alice', 'Scope: Alice Aoki'));
    expect(t).toContain('provision the message-trace service principal');
    expect(t).toContain(`New-MgServicePrincipal -AppId ${MESSAGE_TRACE_APP_ID}`);
    expect(t).not.toContain('needs ExchangeMessageTrace.Read.All');
    expect(stack.emulator.requests().filter((r) => r.path.endsWith('/messageTraces')).map((r) => r.status)).toEqual([401]);
  });
});
