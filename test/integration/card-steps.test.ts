import type { LocalStack } from '../../sandbox/local-stack';
import type { SlackCall } from '../../sandbox/slack-api';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { adaptiveCardProblem } from '../../sandbox/teams-limits';
import { TEAMS_CARD_BYTES } from '../../cards/adaptive/types';
import { getContext } from '../../src/runtime';
import { exchangeRequests } from '../../sandbox/exchange-api';
import { approverRoster } from '../../src/directory/roster';
import type { Action } from '../../src/incidents/model';
import { stepRef } from '../../src/ids';
import { escapeMarkdown } from '../../cards/text';
import { adaptiveCardProblems } from '../helpers/adaptive';
import { mutatingCalls, settled, startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, cardsOf, channelMention, executeInvoke, json, post, taskFetch } from '../helpers/teams';
import { blockAction, postSlack, slashCommand } from '../helpers/slack';

/**
 * Big incidents (issue 20): Alice with 10 extra suspicious objects of each kind. "Show all" lists every action of a
 * step in a Teams dialog and a Slack modal, for responders and approvers only; "Approve step" decides a step's
 * proposals through the same path as each action's Approve, and approving every step changes every object once.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
  await approverRoster(await getContext());
});
afterAll(() => stack?.stop());
beforeEach(async () => {
  await stack.idle();
  stack.emulator.reset();
  stack.connector.clear();
  stack.slack.clear();
  stack.emulator.addScenario({ user: SEED_IDS.alice, extra: { inboxRules: 10, methods: 10, devices: 10, apps: 10, flows: 10 } });
});

const ALICE = { id: '29:alice', aadObjectId: SEED_IDS.alice, name: 'Alice Aoki' };
const actionsOf = async (incidentId: string): Promise<Action[]> => (await getContext()).store.listActions(incidentId);
/** Text as the platforms show it: Slack's zero-width spaces around formatting characters and escapes gone. */
const plainText = (v: unknown) =>
  json(v)
    .replace(/\\u200b|\u200b/g, '')
    .replace(/\\\\/g, '\\')
    .replace(/\\"/g, '"');

/** Is this Graph request (method and path) the change of this action? */
function changeOf(a: Action, request: string): boolean {
  const [method, path] = request.split(' ');
  if (a.kind === 'revokeSessions') return path.endsWith(`/users/${a.objectId}/revokeSignInSessions`);
  if (a.kind === 'resetPassword') return method === 'PATCH' && path.endsWith(`/users/${a.objectId}`);
  if (a.kind === 'removeAppSecret') return path.endsWith(`/applications/${a.objectId}/removePassword`);
  if (a.kind === 'removeAppCertificate') return method === 'PATCH' && path.endsWith(`/applications/${a.objectId}`);
  return path.split('/').includes(encodeURIComponent(a.objectId));
}

async function openInSlack(): Promise<{ ts: string; incidentId: string; blocks: string }> {
  await postSlack(stack, slashCommand('contain alice'));
  const card = await waitFor(
    () => stack.slack.all().find((c: SlackCall) => c.method === 'chat.postMessage' && json(c.args.blocks).includes('contain.approve')),
    { what: 'card', timeoutMs: 30_000 },
  );
  const blocks = json(card.args.blocks);
  const ts = [...stack.slack.messages.values()].find((m) => json(m.blocks) === blocks)!.ts;
  return { ts, blocks, incidentId: /INC-\d{8}-\d{4}/.exec(blocks)![0] };
}

async function openInTeams(): Promise<{ incidentId: string; conversationId: string; activityId: string }> {
  await post(stack, channelMention(stack, PEOPLE.riley, 'contain alice'));
  const sent = await waitFor(() => stack.connector.all().find((r) => r.op !== 'update' && json(cardsOf(r)).includes('"verb":"approve"')), {
    what: 'card',
    timeoutMs: 30_000,
  });
  return { incidentId: /INC-\d{8}-\d{4}/.exec(json(cardsOf(sent)))![0], conversationId: sent.conversationId, activityId: sent.activityId };
}

describe('Show all', () => {
  test('Slack: a modal opens at the click and the worker fills it with every action of the step, within the modal limits', async () => {
    const { ts, incidentId, blocks } = await openInSlack();
    const ref = stepRef(incidentId, 5);
    expect(blocks).toContain(`"action_id":"contain.show-step","value":"${ref}"`);
    await postSlack(stack, blockAction('contain.show-step', ref, 'U0AVERY', ts));
    const opened = stack.slack.all().find((c) => c.method === 'views.open')!;
    expect(opened.error).toBeUndefined();
    const update = await waitFor(() => stack.slack.all().find((c) => c.method === 'views.update' && !c.error), { what: 'modal filled in' });
    const modal = [...stack.slack.modals.views.values()][0];
    expect(update.args.view_id).toBe(modal.id);
    const shown = plainText(modal.view.blocks);
    // Step 5: the 12 rules Graph lists, and through Exchange the mailbox forwarding and the hidden rule.
    const rules = (await actionsOf(incidentId)).filter((a) => a.step === 5);
    expect(rules).toHaveLength(14);
    for (const a of rules) expect(shown).toContain(a.title);
    expect(shown).toContain(
      'Approve step 5* will disable 12 inbox rules, clear the mailbox forwarding and disable 1 hidden inbox rule: these are every one of them',
    );
    expect(stack.slack.all().filter((c) => c.error)).toEqual([]);
  });

  test('Slack: the person contained is refused in the modal, and sees none of the step', async () => {
    const { ts, incidentId } = await openInSlack();
    await postSlack(stack, blockAction('contain.show-step', stepRef(incidentId, 5), 'U0ALICE', ts));
    await waitFor(() => stack.slack.all().find((c) => c.method === 'views.update'), { what: 'modal filled in' });
    const shown = plainText([...stack.slack.modals.views.values()][0].view.blocks);
    expect(shown).toContain('You are the person this incident contains');
    expect(shown).not.toContain('inbox rule');
  });

  test('Teams: task/fetch answers with a dialog listing every action of the step, a card Teams shows, within the budget', async () => {
    const { incidentId, conversationId } = await openInTeams();
    const res = await post(stack, taskFetch(stack, PEOPLE.avery, { verb: 'show-step', ref: stepRef(incidentId, 7) }, conversationId));
    expect(res.status).toBe(200);
    const task = (
      res.body as { task: { type: string; value: { title: string; card: { contentType: string; content: Record<string, unknown> } } } }
    ).task;
    expect(task.type).toBe('continue');
    expect(task.value.title).toMatch(/^Step 7: Applications \(\d+\)$/);
    const card = task.value.card.content;
    expect(adaptiveCardProblem(card)).toBeUndefined();
    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(json(card).length * 2).toBeLessThanOrEqual(TEAMS_CARD_BYTES);
    const apps = (await actionsOf(incidentId)).filter((a) => a.step === 7);
    expect(apps.length).toBeGreaterThan(20);
    for (const a of apps) expect(plainText(card)).toContain(a.title.replace(/[\\`*_[\]<>~]/g, (c) => `\\${c}`));
  });

  test('Teams: the person contained is refused in the dialog', async () => {
    const { incidentId, conversationId } = await openInTeams();
    const res = await post(stack, taskFetch(stack, ALICE, { verb: 'show-step', ref: stepRef(incidentId, 5) }, conversationId));
    const card = (res.body as { task: { value: { card: { content: unknown } } } }).task.value.card.content;
    expect(json(card)).toContain('You are the person this incident contains');
    expect(json(card)).not.toContain('inbox rule');
  });
});

describe('buttons inside Show all', () => {
  test('Teams: an approver rejects one rule and approves the rest of the step from the dialog; it shows the step again each time', async () => {
    const { incidentId, conversationId } = await openInTeams();
    const rules = (await actionsOf(incidentId)).filter((a) => a.step === 5);
    const weakest = rules.at(-1)!;
    const dialog = async (data: Record<string, string>) =>
      (
        (await post(stack, taskFetch(stack, PEOPLE.avery, data, conversationId, 'task/submit'))).body as {
          task: { type: string; value: { card: { content: unknown } } };
        }
      ).task;
    const first = await dialog({ verb: 'reject', ref: `${incidentId}/${weakest.id}` });
    expect(first.type).toBe('continue');
    expect(plainText(first.value.card.content)).toContain(escapeMarkdown(`Rejected by Avery Adams. "${weakest.title}" will not run.`));
    const second = await dialog({ verb: 'approve-step', ref: stepRef(incidentId, 5) });
    expect(json(second.value.card.content)).toContain('Approved by Avery Adams. Running 13 action(s) of step 5 now.');
    const done = (await settled(incidentId, { timeoutMs: 60_000 })).filter((a) => a.step === 5);
    expect(done.filter((a) => a.state === 'rejected').map((a) => a.id)).toEqual([weakest.id]);
    expect(done.filter((a) => a.state === 'succeeded')).toHaveLength(13);
    // The card everyone sees was updated too.
    await waitFor(() => stack.connector.all().find((r) => r.op === 'update' && json(cardsOf(r)).includes('1 rejected')), {
      what: 'shared card updated',
    });
  });

  test('Slack: a rule approved from the modal: the same decision, the modal shows the step again, the card is updated', async () => {
    const { ts, incidentId } = await openInSlack();
    await postSlack(stack, blockAction('contain.show-step', stepRef(incidentId, 5), 'U0PARKER', ts));
    await waitFor(() => stack.slack.all().find((c) => c.method === 'views.update'), { what: 'modal filled in' });
    const modal = [...stack.slack.modals.views.values()][0];
    const rule = (await actionsOf(incidentId)).filter((a) => a.step === 5).at(-1)!;
    const ref = `${incidentId}/${rule.id}`;
    expect(json(modal.view.blocks)).toContain(`"action_id":"contain.approve","value":"${ref}"`);
    const inModal = {
      container: { type: 'view', view_id: modal.id },
      view: { id: modal.id, type: 'modal', private_metadata: modal.view.private_metadata },
      channel: undefined,
      message: undefined,
    };
    await postSlack(stack, blockAction('contain.approve', ref, 'U0PARKER', '', inModal));
    await waitFor(async () => (await actionsOf(incidentId)).find((a) => a.id === rule.id)!.state === 'succeeded', {
      what: 'the rule disabled',
    });
    await waitFor(
      () =>
        plainText(stack.slack.modals.views.get(modal.id)!.view.blocks).includes(`Approved by Parker Patel. Running "${rule.title}" now.`),
      { what: 'modal shows the step again' },
    );
    await waitFor(() => stack.slack.all().find((c) => c.method === 'chat.update' && c.args.ts === ts), { what: 'card updated' });
    expect(stack.slack.all().filter((c) => c.method === 'chat.postEphemeral')).toEqual([]);
    expect((await actionsOf(incidentId)).filter((a) => a.state !== 'proposed' && a.step !== 1).map((a) => a.id)).toEqual([rule.id]);
  });
});

describe('Approve step', () => {
  test('Teams: four-eyes holds for a step; an approver approves step 5 and only its 14 actions are approved (12 rules, the forwarding and the hidden rule), each recorded by name', async () => {
    const { incidentId, conversationId, activityId } = await openInTeams();
    const ref = stepRef(incidentId, 5);
    const mine = await post(stack, executeInvoke(stack, PEOPLE.riley, 'approve-step', { ref }, conversationId, activityId));
    expect(json(mine.body)).toContain('four-eyes');
    expect((await actionsOf(incidentId)).filter((a) => a.state !== 'proposed')).toEqual([]);

    const res = await post(stack, executeInvoke(stack, PEOPLE.avery, 'approve-step', { ref }, conversationId, activityId));
    expect(json(res.body)).toContain('Approved by Avery Adams. Running 14 action(s) of step 5 now.');
    const done = await settled(incidentId, { timeoutMs: 60_000 });
    expect(done.filter((a) => a.state !== 'proposed').map((a) => a.step)).toEqual(Array(14).fill(5));
    expect(done.filter((a) => a.step === 5).every((a) => a.state === 'succeeded' && a.decision?.by.name === 'Avery Adams')).toBe(true);
    const audit = await (await getContext()).store.listAudit(incidentId);
    const approvals = audit.filter((e) => e.event === 'action.approved');
    expect(approvals.map((e) => e.details?.title).sort()).toEqual(
      done
        .filter((a) => a.step === 5)
        .map((a) => a.title)
        .sort(),
    );
  });

  test('Slack: approving every step from the card changes every object exactly once', async () => {
    const { ts, incidentId, blocks } = await openInSlack();
    const before = await actionsOf(incidentId);
    // The card's own buttons: Approve step for the summarised steps, Approve for the actions of the steps shown whole.
    const steps = [...blocks.matchAll(/"action_id":"contain\.approve-step","value":"([^"]+)"/g)].map((m) => m[1]);
    const summarised = new Set(steps.map((r) => Number(r.slice(-2))));
    const whole = before.filter((a) => !summarised.has(a.step));
    expect(steps.length).toBeGreaterThanOrEqual(5);
    for (const ref of steps) await postSlack(stack, blockAction('contain.approve-step', ref, 'U0AVERY', ts));
    for (const a of whole) await postSlack(stack, blockAction('contain.approve', `${a.incidentId}/${a.id}`, 'U0AVERY', ts));
    // The presses are queued: every action decided first, then every approved one run.
    await waitFor(async () => (await actionsOf(incidentId)).every((a) => a.state !== 'proposed'), {
      what: 'every action decided',
      timeoutMs: 60_000,
    });
    const done = await settled(incidentId, { timeoutMs: 90_000 });

    // Every action decided once, by the approver; the only failures are Graph's documented refusal of app-only
    // changes to devices that are not Windows.
    expect(done).toHaveLength(before.length);
    for (const a of done) {
      expect(a.decision).toMatchObject({ verb: 'approve', by: { name: 'Avery Adams' } });
      expect(a.state === 'succeeded' || a.result?.code === 'APP_ONLY_NON_WINDOWS').toBe(true);
    }
    // Graph: one change request per object, none repeated; flows: one stop each through the Power Automate API.
    const changes = mutatingCalls(stack).map((r) => `${r.method} ${r.path}`);
    expect(new Set(changes).size).toBe(changes.length);
    const flows = done.filter((a) => a.kind === 'stopFlow');
    // Step 5's forwarding and hidden rule go through the Exchange admin API: one cmdlet each, in its own log.
    const exchange = done.filter((a) => a.kind === 'clearMailboxForwarding' || a.kind === 'disableHiddenInboxRule');
    expect(
      exchangeRequests(stack.emulator)
        .filter((r) => r.applied && /^(Set|Disable)-/.test(r.cmdlet ?? ''))
        .map((r) => r.cmdlet)
        .sort(),
    ).toEqual(['Disable-InboxRule', 'Set-Mailbox']);
    expect(exchange).toHaveLength(2);
    expect(changes).toHaveLength(done.length - flows.length - exchange.length);
    for (const a of done.filter((x) => x.kind !== 'stopFlow' && !exchange.includes(x)))
      expect([a.kind, changes.filter((c) => changeOf(a, c))]).toEqual([a.kind, [expect.any(String)]]);
    const stops = stack.emulator.flowRequests.filter((r) => r.method === 'POST');
    expect(stops.map((r) => r.path).sort()).toEqual(flows.map((f) => stops.find((r) => r.path.includes(f.objectId))!.path).sort());
    expect(new Set(stops.map((r) => r.path)).size).toBe(flows.length);
  }, 120_000);
});
