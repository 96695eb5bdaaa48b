/**
 * Step 1's optional action (issue 16), through the real handlers: Identity Protection reports Alice at high risk, the
 * alert poll opens her incident, and its card proposes "Confirm compromised in Identity Protection" beside revoking her
 * sessions. An approver approves; the tenant shows her confirmed compromised, read back, with the risk before as the
 * evidence snapshot. Undo, asked for by one person and approved by another, dismisses the risk. Without the permission
 * the card says how to do it by hand instead of offering a button.
 */
import type { LocalStack } from '../../sandbox/local-stack';
import { DEFAULT_APP } from '../../sandbox/graph/app-identity';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { getContext } from '../../src/runtime';
import { settled, startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, botAdded, cardsOf, channelMention, executeInvoke, json, post, type Person } from '../helpers/teams';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
  expect((await post(stack, botAdded(stack))).status).toBe(200);
  await stack.idle();
}, 60_000);
afterAll(() => stack?.stop());

const sandbox = (method: string, path: string, body: unknown) =>
  fetch(`${stack.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const risk = (userId: string) => stack.emulator.state.riskyUsers.find((u) => u.id === userId);
const riskPosts = (action: 'confirmCompromised' | 'dismiss') =>
  stack.emulator.requests().filter((r) => r.method === 'POST' && r.path === `/v1.0/identityProtection/riskyUsers/${action}`);

/** Report the user at high risk in Identity Protection and let the alert poll and the worker run. */
async function reportedByIdentityProtection(userId: string) {
  expect((await sandbox('POST', '/sandbox/alerts', { userId, source: 'identityProtection', severity: 'high' })).status).toBe(201);
  await stack.pollAlerts();
  await stack.idle();
}

/** The user's incident once its card is posted, its actions, the card as it is now, and a click on it. */
async function incidentOf(userId: string) {
  const ctx = await getContext();
  const incident = await waitFor(
    async () => (await ctx.store.findIncidents({ targetUserId: userId })).find((i) => i.threads.teams?.cardActivityId),
    { what: "the user's incident posted in the channel" },
  );
  const thread = incident.threads.teams!;
  const card = () => json(cardsOf([...stack.connector.activities().values()].find((r) => r.activityId === thread.cardActivityId)!));
  const click = (who: Person, verb: string, ref: string) =>
    post(stack, executeInvoke(stack, who, verb, { ref }, String(thread.conversationId), String(thread.cardActivityId)));
  return { incident, actions: await ctx.store.listActions(incident.id), card, click };
}

/** Report the user at high risk in Identity Protection, poll, and return the incident its alert opened and its card. */
async function openedByIdentityProtection(userId: string) {
  await reportedByIdentityProtection(userId);
  return incidentOf(userId);
}

test('an Identity Protection alert proposes confirm compromised; approved, it is made once and read back; Undo dismisses the risk', async () => {
  const { incident, actions, card, click } = await openedByIdentityProtection(SEED_IDS.alice);
  expect(incident.facts.alert!.signals.map((s) => s.source)).toEqual(['identityProtection']);
  const confirm = actions.find((a) => a.kind === 'confirmCompromised')!;
  expect(confirm).toMatchObject({
    step: 1,
    objectId: SEED_IDS.alice,
    state: 'proposed',
    title: 'Confirm compromised in Identity Protection',
  });
  expect(card()).toContain('Confirm compromised in Identity Protection');
  expect(card()).toContain(`"ref":"${incident.id}/${confirm.id}"`);
  expect(risk(SEED_IDS.alice)).toMatchObject({ riskLevel: 'high', riskState: 'atRisk' });

  // Requester "alert": any approver approves it (four-eyes binds people; a responder may not).
  expect(json((await click(PEOPLE.riley, 'approve', `${incident.id}/${confirm.id}`)).body)).toMatch(/needs the approver role/);
  expect(json((await click(PEOPLE.avery, 'approve', `${incident.id}/${confirm.id}`)).body)).toContain('Approved by Avery Adams');
  await stack.idle();
  const done = (await settled(incident.id)).find((a) => a.id === confirm.id)!;
  expect(done).toMatchObject({
    state: 'succeeded',
    result: { verified: true },
    evidence: { value: [expect.objectContaining({ id: SEED_IDS.alice, riskLevel: 'high', riskState: 'atRisk' })] },
  });
  expect(risk(SEED_IDS.alice)).toMatchObject({ riskLevel: 'high', riskState: 'confirmedCompromised' });
  expect(riskPosts('confirmCompromised').map((r) => r.status)).toEqual([204]);

  // Once done, the card offers Undo: the risk dismissed, asked for by one person and approved by another.
  await waitFor(() => card().includes(`"verb":"undo","data":{"verb":"undo","ref":"${incident.id}/${confirm.id}"}`), {
    what: 'Undo on the card',
  });
  expect(json((await click(PEOPLE.parker, 'undo', `${incident.id}/${confirm.id}`)).body)).toContain('Undo asked for by Parker Patel');
  const ctx = await getContext();
  const undo = (await ctx.store.listActions(incident.id)).find((a) => a.params.undoes === confirm.id)!;
  expect(undo).toMatchObject({
    kind: 'dismissUserRisk',
    state: 'proposed',
    title: 'Undo: dismiss the Identity Protection risk of Alice Aoki',
  });
  expect(json((await click(PEOPLE.avery, 'approve', `${incident.id}/${undo.id}`)).body)).toContain('Approved by Avery Adams');
  await stack.idle();
  expect((await settled(incident.id)).find((a) => a.id === undo.id)).toMatchObject({
    state: 'succeeded',
    result: { verified: true },
    evidence: { value: [expect.objectContaining({ riskState: 'confirmedCompromised' })] },
  });
  expect(risk(SEED_IDS.alice)).toMatchObject({ riskLevel: 'none', riskState: 'dismissed' });
  expect(riskPosts('dismiss').map((r) => r.status)).toEqual([204]);
  expect(riskPosts('confirmCompromised')).toHaveLength(1);
  expect(card()).toContain('Undone: the change was taken back.');
});

test('Identity Protection reports a user whose incident someone typed: that card gains confirm compromised, once, and the requester may not approve it', async () => {
  await post(stack, channelMention(stack, PEOPLE.parker, 'contain bob.brown@contoso.example'));
  const typed = await incidentOf(SEED_IDS.bob);
  expect(typed.actions.map((a) => a.kind)).not.toContain('confirmCompromised');
  expect(typed.card()).not.toContain('Confirm compromised in Identity Protection');

  await reportedByIdentityProtection(SEED_IDS.bob);
  await stack.pollAlerts(); // reported again: still one proposal, one note
  await stack.idle();
  const ctx = await getContext();
  expect(await ctx.store.findIncidents({ targetUserId: SEED_IDS.bob })).toHaveLength(1);
  const actions = await ctx.store.listActions(typed.incident.id);
  const confirm = actions.find((a) => a.kind === 'confirmCompromised')!;
  expect(actions.filter((a) => a.kind === 'confirmCompromised')).toHaveLength(1);
  expect(confirm).toMatchObject({ step: 1, objectId: SEED_IDS.bob, state: 'proposed' });
  expect(typed.card()).toContain(`"ref":"${typed.incident.id}/${confirm.id}"`);
  const notes = stack.connector.all().filter((r) => json(r.activity).includes('New alert about'));
  expect(notes).toHaveLength(1);
  expect(json(notes[0].activity)).toContain('now also proposes \\"Confirm compromised in Identity Protection\\"');

  // Parker opened this incident: four-eyes keeps them from approving its changes, the alert's one too; Avery may.
  expect(json((await typed.click(PEOPLE.parker, 'approve', `${typed.incident.id}/${confirm.id}`)).body)).toContain(
    'You opened this incident, so you cannot approve its actions yourself',
  );
  expect(json((await typed.click(PEOPLE.avery, 'approve', `${typed.incident.id}/${confirm.id}`)).body)).toContain(
    'Approved by Avery Adams',
  );
  await stack.idle();
  expect((await settled(typed.incident.id)).find((a) => a.id === confirm.id)).toMatchObject({
    state: 'succeeded',
    result: { verified: true },
  });
  expect(risk(SEED_IDS.bob)).toMatchObject({ riskState: 'confirmedCompromised' });
});

test('without IdentityRiskyUser.ReadWrite.All (contain doctor says so): the card gives the portal step instead of a button', async () => {
  const ctx = await getContext();
  await sandbox('PUT', '/sandbox/app', {
    ...DEFAULT_APP,
    permissions: DEFAULT_APP.permissions.filter((p) => p !== 'IdentityRiskyUser.ReadWrite.All'),
  });
  // An approver runs doctor from chat; its result is kept for the next incident's card.
  await post(stack, channelMention(stack, PEOPLE.avery, 'doctor'));
  await waitFor(() => stack.connector.all().some((r) => json(r.activity).includes('Contain doctor')), { what: 'the doctor card' });
  await stack.idle();

  const { incident, actions, card } = await openedByIdentityProtection(SEED_IDS.carol);
  const confirm = actions.find((a) => a.kind === 'confirmCompromised')!;
  expect(confirm.state).toBe('skipped');
  expect(confirm.result!.message).toMatch(
    /^Not possible for Contain: it needs the optional Microsoft Graph permission IdentityRiskyUser\.ReadWrite\.All\. Confirm it by hand: Entra admin center > Protection > Risky users/,
  );
  expect(card()).toMatch(
    /Not possible for Contain: it needs the optional Microsoft Graph permission IdentityRiskyUser\.ReadWrite\.All\. Confirm it by hand/,
  );
  expect(card()).not.toContain(`"ref":"${incident.id}/${confirm.id}"`);
  expect(actions.find((a) => a.kind === 'revokeSessions')!.state).not.toBe('skipped');
  expect(await ctx.store.listActions(incident.id)).toHaveLength(actions.length);
  expect(riskPosts('confirmCompromised')).toHaveLength(2); // Alice's and Bob's, from the tests before
});
