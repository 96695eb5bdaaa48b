import { SEED_IDS } from '../../sandbox/graph/seed';
import { pressButton } from '../../bot/core/buttons';
import { runCommand } from '../../bot/core/command';
import type { Surface } from '../../bot/core/surface';
import { legacyWorkMessage } from '../../bot/legacy-work';
import type { Command } from '../../src/commands';
import { parseCommand } from '../../src/commands';
import { clearApproverRoster } from '../../src/directory/roster';
import type { Actor, ThreadRef } from '../../src/incidents/model';
import { createLogger } from '../../src/log';
import type { View } from '../../src/views/types';
import { sandboxContext, type SandboxContext } from '../helpers/sandbox-context';

/** A chat platform as the core sees it, recording what the core asked of it. */
function fakeSurface(actor: Actor, thread: ThreadRef = { room: 'soc', at: 'root-1' }, extra: Partial<Surface> = {}) {
  const said: { op: string; id?: string; view?: View; text?: string }[] = [];
  let n = 0;
  const surface: Surface = {
    name: 'chat',
    thread,
    cardField: 'card',
    log: createLogger({ level: 'silent' }),
    actor: async () => actor,
    post: async (view) => (said.push({ op: 'post', view }), `m${++n}`),
    update: async (id, view) => void said.push({ op: 'update', id, view }),
    postText: async (text) => (said.push({ op: 'postText', text }), `m${++n}`),
    updateText: async (id, text) => void said.push({ op: 'updateText', id, text }),
    tell: async ({ view, text }) => void said.push({ op: 'tell', view, text }),
    channelOf: (t) => String(t.room),
    ...extra,
  };
  return { surface, said };
}

const riley: Actor = { platform: 'chat', id: 'riley', aadObjectId: SEED_IDS.riley, name: 'Riley Reyes' };
const parker: Actor = { platform: 'chat', id: 'parker', aadObjectId: SEED_IDS.parker, name: 'Parker Patel' };
const kinds = (said: { op: string; view?: View }[]) => said.map((x) => `${x.op}${x.view ? `:${x.view.kind}` : ''}`);

describe('the conversation core, on any platform', () => {
  let s: SandboxContext;
  beforeEach(async () => {
    clearApproverRoster();
    s = await sandboxContext({ CONTAIN_FAST_PATH_REVOKE: 'true' });
  });
  afterEach(() => s.close());

  const contain = async (surface: Surface, command: Command = parseCommand('contain alice.aoki@contoso.example')) => {
    await runCommand(s.ctx, surface, command);
    const [incident] = await s.store.findIncidents({ targetUserId: SEED_IDS.alice });
    return incident;
  };

  test('after routing: the card is posted, where it went is recorded on the thread, then the fast path is released', async () => {
    const { surface, said } = fakeSurface(riley);
    const incident = await contain(surface);
    expect(kinds(said)).toEqual(['post:containment']);
    expect(incident.threads).toEqual({ chat: { room: 'soc', at: 'root-1', card: 'm1' } });
    expect(s.queue.take()).toEqual([{ type: 'execute', incidentId: incident.id, actionIds: ['a01'], key: `${incident.id}/a01` }]);
  });

  test('failures become one message in the conversation; a mention needs a platform that resolves it', async () => {
    const { surface, said } = fakeSurface(riley);
    await runCommand(s.ctx, surface, parseCommand('contain nobody-like-this'));
    await runCommand(s.ctx, surface, parseCommand('contain <@U0ALICE>'));
    expect(said.map((x) => x.view?.kind === 'message' && x.view.title)).toEqual(['No such user', 'I did not understand that']);
    const resolving = fakeSurface(riley, undefined, { resolveMention: async () => 'alice.aoki@contoso.example' });
    expect((await contain(resolving.surface, parseCommand('contain <@U0ALICE>'))).target.id).toBe(SEED_IDS.alice);
  });

  test("status lists the open incidents of the asker's channel only", async () => {
    await contain(fakeSurface(riley, { room: 'soc' }).surface);
    const here = fakeSurface(riley, { room: 'soc' });
    const elsewhere = fakeSurface(riley, { room: 'other' });
    await runCommand(s.ctx, here.surface, { name: 'status' });
    await runCommand(s.ctx, elsewhere.surface, { name: 'status' });
    const items = (x: typeof here) => (x.said[0].view as { items: unknown[] }).items.length;
    expect([items(here), items(elsewhere)]).toEqual([1, 0]);
  });

  test('buttons: a decision updates the card everyone sees where it was recorded and tells the clicker why', async () => {
    const incident = await contain(fakeSurface(riley).surface);
    const { surface, said } = fakeSurface(parker);
    const start = jest.fn();
    await pressButton(s.ctx, surface, { verb: 'approve', ref: `${incident.id}/a02` }, { clicked: 'clicked-msg', start });
    expect(kinds(said)).toEqual(['update:containment', 'tell:containment']);
    expect(said[0].id).toBe('m1');
    expect(said[1].text).toBe('Approved by Parker Patel. Running "Reset the password" now.');
    await pressButton(s.ctx, surface, { verb: 'approve', ref: 'INC-20990101-0001/a01' }, { clicked: 'clicked-msg', start });
    expect(said.at(-1)).toMatchObject({
      op: 'tell',
      text: 'Incident INC-20990101-0001 no longer exists.',
      view: { kind: 'message', title: 'Unknown incident' },
    });
    expect(start).not.toHaveBeenCalled();
  });

  test('buttons: the requester is refused (four eyes) and nothing changes for anyone else', async () => {
    const incident = await contain(fakeSurface(riley).surface);
    const { surface, said } = fakeSurface(riley);
    await pressButton(s.ctx, surface, { verb: 'approve', ref: `${incident.id}/a02` }, { start: jest.fn() });
    expect(kinds(said)).toEqual(['tell:containment']);
    expect(said[0].text).toMatch(/four-eyes/);
  });

  test('buttons: the chooser starts the contain command; a chooser reference Contain did not make is refused privately', async () => {
    const { surface, said } = fakeSurface(riley);
    const start = jest.fn(async () => undefined);
    await pressButton(s.ctx, surface, { verb: 'choose', ref: `${SEED_IDS.alice.toUpperCase()}|dry-run` }, { start });
    expect(start).toHaveBeenCalledWith({ name: 'contain', target: { kind: 'id', value: SEED_IDS.alice }, dryRun: true });
    expect(said[0]).toMatchObject({ op: 'tell', view: { title: 'Opening the incident' } });
    await pressButton(s.ctx, surface, { verb: 'choose', ref: 'not-a-user' }, { start });
    expect(said[1]).toMatchObject({ op: 'tell', text: 'Invalid input: That button is not one Contain made.' });
    expect(start).toHaveBeenCalledTimes(1);
  });

  test('buttons: "Propose again" on a rejected action puts the new proposal on the shared card (the clicked one when none was recorded)', async () => {
    const incident = await contain(fakeSurface(riley).surface);
    await s.store.updateIncident({ ...incident, threads: {} });
    const { surface, said } = fakeSurface(parker);
    await pressButton(s.ctx, surface, { verb: 'reject', ref: `${incident.id}/a02` }, { clicked: 'clicked-msg', start: jest.fn() });
    await pressButton(s.ctx, surface, { verb: 'repropose', ref: `${incident.id}/a02` }, { clicked: 'clicked-msg', start: jest.fn() });
    expect(kinds(said)).toEqual(['update:containment', 'tell:containment', 'update:containment', 'tell:containment']);
    expect(said[2].id).toBe('clicked-msg');
    expect(said[3].text).toBeUndefined();
  });
  test('buttons: "Approve step" decides the step\'s proposals and nothing else; the requester may withdraw a step ("Reject step")', async () => {
    const incident = await contain(fakeSurface(riley).surface);
    const { surface, said } = fakeSurface(parker);
    await pressButton(s.ctx, surface, { verb: 'approve-step', ref: `${incident.id}/s03` }, { start: jest.fn() });
    expect(said[1].text).toBe('Approved by Parker Patel. Running 2 action(s) of step 3 now.');
    const byStep = async () => (await s.store.listActions(incident.id)).map((a) => `${a.step}:${a.state}`);
    expect((await byStep()).filter((x) => x.startsWith('3:'))).toEqual(['3:approved', '3:approved']);
    expect((await byStep()).filter((x) => !x.startsWith('3:') && !x.startsWith('1:')).every((x) => x.endsWith(':proposed'))).toBe(true);
    const mine = fakeSurface(riley);
    await pressButton(s.ctx, mine.surface, { verb: 'reject-step', ref: `${incident.id}/s05` }, { start: jest.fn() });
    // Step 5: the two Graph rules, the mailbox forwarding and the hidden rule (Exchange).
    expect(mine.said.at(-1)!.text).toBe('Rejected by Riley Reyes. 4 action(s) of step 5 will not run.');
    await pressButton(s.ctx, surface, { verb: 'approve-step', ref: `${incident.id}/s05` }, { start: jest.fn() });
    expect(said.at(-1)).toMatchObject({ op: 'tell', text: 'Nothing in step 5 is waiting for a decision.' });
  });

  test('buttons: "Show all" opens the step in a dialog where the platform has one, tells the clicker elsewhere, and refuses the person contained', async () => {
    const incident = await contain(fakeSurface(riley).surface);
    const dialogs: View[] = [];
    const withDialog = fakeSurface(parker, undefined, { dialog: async (view) => void dialogs.push(view) });
    await pressButton(s.ctx, withDialog.surface, { verb: 'show-step', ref: `${incident.id}/s07` }, { start: jest.fn() });
    expect(withDialog.said).toEqual([]);
    expect(dialogs[0]).toMatchObject({ kind: 'step-list', step: { step: 7, decide: { count: 4 } } });
    expect((dialogs[0] as { actions: unknown[] }).actions).toHaveLength(4);
    const without = fakeSurface(parker);
    await pressButton(s.ctx, without.surface, { verb: 'show-step', ref: `${incident.id}/s07` }, { start: jest.fn() });
    expect(kinds(without.said)).toEqual(['tell:step-list']);
    const alice: Actor = { platform: 'chat', id: 'alice', aadObjectId: SEED_IDS.alice, name: 'Alice Aoki' };
    await pressButton(
      s.ctx,
      fakeSurface(alice, undefined, { dialog: async (view) => void dialogs.push(view) }).surface,
      { verb: 'show-step', ref: `${incident.id}/s07` },
      { start: jest.fn() },
    );
    expect(dialogs[1]).toMatchObject({ kind: 'message', tone: 'attention' });
    expect(JSON.stringify(dialogs[1])).toContain('You are the person this incident contains');
  });
});

describe('work queued by the previous release', () => {
  const log = createLogger({ level: 'silent' });

  test('a Teams command is parsed now and keeps its thread and actor', () => {
    const thread = { serviceUrl: 'https://smba.example/', conversationId: '19:soc;messageid=1', botId: '28:contain', channelId: 'msteams' };
    const old = {
      type: 'teams-command',
      key: 'k1',
      text: 'contain alice --dry-run',
      actor: { id: '29:riley', aadObjectId: 'r1', name: 'Riley' },
      thread,
    };
    expect(legacyWorkMessage(JSON.stringify(old), log)).toEqual({
      type: 'command',
      surface: 'teams',
      key: 'k1',
      thread,
      actor: old.actor,
      command: { name: 'contain', target: { kind: 'text', value: 'alice' }, dryRun: true },
    });
  });

  test('a Slack mention that does not parse is answered in its thread; a Slack button press keeps the message it was on', () => {
    const actor = { userId: 'U0RILEY', teamId: 'T0', enterpriseId: 'E0', name: 'riley' };
    const bad = legacyWorkMessage(
      Buffer.from(JSON.stringify({ type: 'slack-command', key: 'k2', text: 'stauts', actor, channel: 'C0', threadTs: '1.2' })).toString(
        'base64',
      ),
      log,
    );
    expect(bad).toMatchObject({
      type: 'reply',
      surface: 'slack',
      thread: { teamId: 'T0', enterpriseId: 'E0', channel: 'C0', threadTs: '1.2' },
      actor: { id: 'U0RILEY', name: 'riley' },
      view: { title: 'I did not understand that' },
    });
    const press = legacyWorkMessage(
      { type: 'slack-action', key: 'k3', verb: 'approve', value: 'INC-20261125-0001/a01', actor, channel: 'C0', messageTs: '3.4' },
      log,
    );
    expect(press).toEqual({
      type: 'button',
      surface: 'slack',
      key: 'k3',
      thread: { teamId: 'T0', enterpriseId: 'E0', channel: 'C0' },
      actor: { id: 'U0RILEY', name: 'riley' },
      press: { verb: 'approve', ref: 'INC-20261125-0001/a01' },
      message: '3.4',
    });
    expect(legacyWorkMessage({ type: 'something-else' }, log)).toBeUndefined();
  });
});
