/**
 * Undo through chat and the engine (issue 16's done-when): after Alice's containment, Undo on the disabled device is
 * asked for by one person (Parker) and approved by another (Avery); the device is enabled again in the tenant, read back,
 * and the audit trail and report record both. The one who asked cannot approve it; a second Undo press finds it done.
 */
import type { LocalStack } from '../../sandbox/local-stack';
import { ALICE_OBJECTS as A } from '../../sandbox/graph/seed-objects';
import { getContext } from '../../src/runtime';
import { buildReport } from '../../src/incidents/report';
import { settled, startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, cardsOf, channelMention, executeInvoke, json, post } from '../helpers/teams';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const device = () => stack.emulator.state.devices.find((d) => d.data.id === A.attackerWindowsDevice)!.data;

test('Undo on a disabled device: asked by one person, approved by another, enabled again and recorded', async () => {
  await post(stack, channelMention(stack, PEOPLE.riley, 'contain alice'));
  const sent = await waitFor(() => stack.connector.all().find((r) => r.op !== 'update' && json(cardsOf(r)).includes('"verb":"approve"')), {
    what: 'containment card',
  });
  const incidentId = /INC-\d{8}-\d{4}/.exec(json(cardsOf(sent)))![0];
  const click = (who: (typeof PEOPLE)[keyof typeof PEOPLE], verb: string, ref: string) =>
    post(stack, executeInvoke(stack, who, verb, { ref }, sent.conversationId, sent.activityId));
  expect(json((await click(PEOPLE.avery, 'approve-all', incidentId)).body)).toContain('Approved by Avery Adams');
  await stack.idle();
  const ctx = await getContext();
  const contained = await settled(incidentId);
  const disable = contained.find((a) => a.kind === 'disableDevice' && a.objectId === A.attackerWindowsDevice)!;
  expect([disable.state, device().accountEnabled]).toEqual(['succeeded', false]);

  // The shared card now offers Undo on the device, and says of the password that it cannot be undone.
  const latest = () => cardsOf([...stack.connector.activities().values()].find((r) => r.activityId === sent.activityId)!);
  expect(json(latest())).toContain(`"verb":"undo","data":{"verb":"undo","ref":"${incidentId}/${disable.id}"}`);

  const asked = await click(PEOPLE.parker, 'undo', `${incidentId}/${disable.id}`);
  expect(json(asked.body)).toContain('Undo asked for by Parker Patel');
  const undo = (await ctx.store.listActions(incidentId)).find((a) => a.params.undoes === disable.id)!;
  expect(undo).toMatchObject({ kind: 'enableDevice', state: 'proposed', requestedBy: { name: 'Parker Patel' } });
  expect(json(latest())).toContain('Undo requested: waiting for an approver.');

  // Four-eyes: whoever asked cannot approve; another approver can.
  expect(json((await click(PEOPLE.parker, 'approve', `${incidentId}/${undo.id}`)).body)).toContain(
    'You asked for this undo, so you cannot approve it yourself',
  );
  await stack.idle();
  expect(device().accountEnabled).toBe(false);
  expect(json((await click(PEOPLE.avery, 'approve', `${incidentId}/${undo.id}`)).body)).toContain('Approved by Avery Adams');
  await stack.idle();
  const done = (await settled(incidentId)).find((a) => a.id === undo.id)!;
  expect(done).toMatchObject({ state: 'succeeded', result: { verified: true }, evidence: { accountEnabled: false } });
  expect(device().accountEnabled).toBe(true);
  const enables = stack.emulator
    .requests()
    .filter((r) => r.method === 'PATCH' && r.path === `/v1.0/devices/${A.attackerWindowsDevice}` && r.status < 300);
  expect(enables).toHaveLength(2); // the disable and its undo, each once

  const audit = (await ctx.store.listAudit(incidentId))
    .filter((e) => e.actionId === undo.id)
    .map((e) => `${e.event} ${e.actor?.name ?? ''}`.trim());
  expect(audit).toEqual(
    expect.arrayContaining([
      'undo.requested Parker Patel',
      'decision.refused-four-eyes Parker Patel',
      'action.approved Avery Adams',
      'action.snapshot',
      'action.succeeded',
    ]),
  );
  const report = await buildReport(ctx, incidentId);
  expect(report.markdown).toMatch(
    /\| Undo: enable device "DESKTOP-7Q2V9KD" again \| succeeded \| Avery Adams \(teams\); asked for by Parker Patel \|/,
  );
  expect(json(latest())).toContain('Undone: the change was taken back.');

  // Asking again changes nothing.
  expect(json((await click(PEOPLE.quinn, 'undo', `${incidentId}/${disable.id}`)).body)).toContain('was undone already');
  expect((await ctx.store.listActions(incidentId)).filter((a) => a.params.undoes === disable.id)).toHaveLength(1);
});
