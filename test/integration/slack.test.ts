import type { LocalStack } from '../../sandbox/local-stack';
import type { SlackCall } from '../../sandbox/slack-api';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { exchangeState, HIDDEN_RULE_IDENTITY } from '../../sandbox/exchange/state';
import { startTestStack, waitFor } from '../helpers/stack';
import { appMention, blockAction, postSlack, sign, slashCommand } from '../helpers/slack';
import { approverRoster } from '../../src/directory/roster';
import { getContext } from '../../src/runtime';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
  // The stack warms the approver roster as it starts; let that finish so it is not counted as a test's Graph call.
  await approverRoster(await getContext());
});
afterAll(() => stack?.stop());
beforeEach(() => {
  stack.emulator.reset();
  stack.slack.clear();
});

const calls = (method: string) => stack.slack.all().filter((c: SlackCall) => c.method === method);
const revokes = () =>
  stack.emulator
    .requests()
    .filter((r) => r.method === 'POST' && r.path === `/v1.0/users/${SEED_IDS.alice}/revokeSignInSessions` && r.status === 200).length;
const json = (v: unknown) => JSON.stringify(v) ?? '';

/** /contain alice, then wait for the card; returns its ts and the approve button's value. */
async function openInSlack(text = 'contain alice'): Promise<{ ts: string; ref: string }> {
  const before = calls('chat.postMessage').length;
  const ack = await postSlack(stack, slashCommand(text));
  expect(ack.status).toBe(200);
  const post = await waitFor(
    () =>
      calls('chat.postMessage')
        .slice(before)
        .find((c) => json(c.args.blocks).includes('contain.approve')),
    { what: 'card posted' },
  );
  const ref = /"action_id":"contain.approve","value":"([^"]+)"/.exec(json(post.args.blocks))![1];
  const ts = await waitFor(() => [...stack.slack.messages.values()].find((m) => json(m.blocks).includes(ref))?.ts, { what: 'card ts' });
  return { ts, ref };
}

describe('Slack: signed requests', () => {
  test('url_verification answers the challenge', async () => {
    const r = await postSlack(stack, {
      body: JSON.stringify({ type: 'url_verification', token: 't', challenge: 'c-123' }),
      contentType: 'application/json',
    });
    expect(r).toMatchObject({ status: 200, body: { challenge: 'c-123' } });
  });

  const now = () => Math.floor(Date.now() / 1000);
  test.each<[string, (body: string) => { timestamp: number; signature: string | null }]>([
    ['forged', () => ({ timestamp: now(), signature: 'v0=' + '0'.repeat(64) })],
    ['signed with another secret', (body) => ({ timestamp: now(), signature: sign(body, now(), 'not-the-secret') })],
    ['missing', () => ({ timestamp: now(), signature: null })],
    ['stale (6 minutes old)', (body) => ({ timestamp: now() - 360, signature: sign(body, now() - 360) })],
    ['future (6 minutes ahead)', (body) => ({ timestamp: now() + 360, signature: sign(body, now() + 360) })],
  ])('a %s signature is rejected with 401 before anything runs', async (_name, make) => {
    const req = slashCommand('contain alice');
    const r = await postSlack(stack, { ...req, ...make(req.body) });
    expect(r.status).toBe(401);
    await stack.idle();
    expect(stack.emulator.requests()).toHaveLength(0);
    expect(stack.slack.all()).toHaveLength(0);
  });

  test('a replayed body with a valid old signature is rejected', async () => {
    const req = slashCommand('contain alice');
    const old = Math.floor(Date.now() / 1000) - 600;
    const r = await postSlack(stack, { ...req, timestamp: old, signature: sign(req.body, old) });
    expect(r.status).toBe(401);
  });

  test('a tampered body fails the signature of the original', async () => {
    const req = slashCommand('contain alice');
    const ts = Math.floor(Date.now() / 1000);
    const r = await postSlack(stack, { ...req, body: req.body.replace('alice', 'bob'), timestamp: ts, signature: sign(req.body, ts) });
    expect(r.status).toBe(401);
  });
});

describe('Slack: contain, approve, reject', () => {
  test('/contain alice acks at once, then posts a Block Kit card in the channel', async () => {
    const { ref } = await openInSlack();
    expect(ref).toMatch(/^INC-\d{8}-\d{4}\/a01$/);
    const card = calls('chat.postMessage').find((c) => json(c.args.blocks).includes(ref))!;
    expect(card.args.channel).toBe('C0SOC');
    const text = json(card.args.blocks);
    expect(text).toContain('Alice Aoki');
    expect(text).toContain('152.42.161.220');
    expect(text).toContain('"confirm"'); // danger buttons ask first
    expect(revokes()).toBe(0);
  });

  test("the ack arrives within Slack's 3 s even with 2 s of Graph latency", async () => {
    stack.emulator.faults.add({ route: '.*', latencyMs: 2000 });
    const ack = await postSlack(stack, slashCommand('contain alice'));
    expect(ack.status).toBe(200);
    expect(ack.ms).toBeLessThan(1000);
    expect(json(ack.body)).toContain('On it');
    await waitFor(() => calls('chat.postMessage').find((c) => json(c.args.blocks).includes('contain.approve')), {
      what: 'card after slow Graph',
      timeoutMs: 20_000,
    });
    stack.emulator.faults.clear();
  });

  test('nothing is asked of Slack before the ack: no auth.test per request (Bolt would, given the token)', async () => {
    const before = calls('auth.test').length;
    await openInSlack();
    expect(calls('auth.test').length).toBe(before);
  });

  test('the requester cannot approve (four-eyes): told privately, nothing changes', async () => {
    const { ts, ref } = await openInSlack();
    const r = await postSlack(stack, blockAction('contain.approve', ref, 'U0RILEY', ts));
    expect(r.status).toBe(200);
    const eph = await waitFor(() => calls('chat.postEphemeral').find((c) => c.args.user === 'U0RILEY'), { what: 'ephemeral refusal' });
    expect(String(eph.args.text)).toContain('four-eyes');
    await stack.idle();
    expect(revokes()).toBe(0);
  });

  test('a Slack user with no Entra identity cannot approve', async () => {
    const { ts, ref } = await openInSlack();
    await postSlack(stack, blockAction('contain.approve', ref, 'U0GUEST', ts));
    const eph = await waitFor(() => calls('chat.postEphemeral').find((c) => c.args.user === 'U0GUEST'), { what: 'refusal' });
    expect(String(eph.args.text)).toContain('could not tell who you are');
    await stack.idle();
    expect(revokes()).toBe(0);
  });

  test('an approver approves: revoked once, the card is updated with chat.update, a status line goes to the thread', async () => {
    const { ts, ref } = await openInSlack();
    await postSlack(stack, blockAction('contain.approve', ref, 'U0AVERY', ts));
    await waitFor(
      () => calls('chat.update').find((c) => c.args.ts === ts && json(c.args.blocks).includes('Done, approved by Avery Adams')),
      { what: 'updated card' },
    );
    const status = await waitFor(() => calls('chat.postMessage').find((c) => c.args.thread_ts === ts), { what: 'status line' });
    expect(String(status.args.text)).toContain('Revoke all sessions');
    expect(revokes()).toBe(1);
  });

  test('a retried delivery (X-Slack-Retry-Num) changes nothing', async () => {
    const { ts, ref } = await openInSlack();
    const click = blockAction('contain.approve', ref, 'U0PARKER', ts);
    await postSlack(stack, click);
    const retry = await postSlack(stack, { ...click, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retry.status).toBe(200);
    const cmd = slashCommand('contain bob brown');
    await postSlack(stack, cmd);
    await postSlack(stack, { ...cmd, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    await waitFor(() => revokes() === 1, { what: 'revocation' });
    await waitFor(() => calls('chat.postMessage').find((c) => json(c.args.blocks).includes('Bob Brown')), { what: 'bob card' });
    await stack.idle();
    expect(revokes()).toBe(1);
    expect(calls('chat.postMessage').filter((c) => json(c.args.blocks).includes('Contain Bob Brown'))).toHaveLength(1);
    expect(calls('chat.postEphemeral').filter((c) => c.args.user === 'U0PARKER')).toHaveLength(1);
  });

  test('Approve all and "delete rule" buttons work on Slack too', async () => {
    const { ts } = await openInSlack();
    const incidentId = /INC-\d{8}-\d{4}/.exec(json(calls('chat.postMessage').at(-1)!.args.blocks))![0];
    const rule = /"action_id":"contain.approve-delete","value":"([^"]+)"/.exec(json(calls('chat.postMessage').at(-1)!.args.blocks))![1];
    await postSlack(stack, blockAction('contain.approve-delete', rule, 'U0AVERY', ts));
    await waitFor(() => calls('chat.update').find((c) => json(c.args.blocks).includes('deleted (its definition is kept')), {
      what: 'rule deleted',
    });
    await postSlack(stack, blockAction('contain.approve-all', incidentId, 'U0PARKER', ts));
    await waitFor(() => revokes() === 1, { what: 'approve all' });
  });

  test('reject: nothing runs and the card says who rejected', async () => {
    const { ts, ref } = await openInSlack();
    await postSlack(stack, blockAction('contain.reject', ref, 'U0QUINN', ts));
    await waitFor(() => calls('chat.update').find((c) => json(c.args.blocks).includes('Rejected by Quinn Quigley')), {
      what: 'rejected card',
    });
    await stack.idle();
    expect(revokes()).toBe(0);
  });

  test('an app mention in a channel works like the slash command, replying in its thread', async () => {
    await postSlack(stack, appMention('contain alice'));
    const card = await waitFor(() => calls('chat.postMessage').find((c) => json(c.args.blocks).includes('contain.approve')), {
      what: 'card',
    });
    expect(card.args.thread_ts).toBeDefined();
  });

  test('a mention that does not parse is answered in its thread with the right form; nothing is looked up', async () => {
    const graphBefore = stack.emulator.requests().length;
    await postSlack(stack, appMention('stauts'));
    const reply = await waitFor(() => calls('chat.postMessage').find((c) => json(c).includes('Did you mean')), {
      what: 'the answer to a slip',
    });
    expect(reply.args.thread_ts).toBeDefined();
    expect(json(reply.args)).toContain('status');
    expect(stack.emulator.requests().length).toBe(graphBefore);
  });

  test('Slack mention and mailto forms of a target resolve to the user', async () => {
    await postSlack(stack, slashCommand('contain <@U0ALICE|alice> --dry-run'));
    const dry = await waitFor(() => calls('chat.postMessage').find((c) => json(c.args.blocks).includes('Dry run')), {
      what: 'dry-run card',
    });
    expect(json(dry.args.blocks)).toContain('Alice Aoki');
    expect(json(dry.args.blocks)).not.toContain('contain.approve');
    await postSlack(stack, slashCommand('contain <mailto:alice.aoki@contoso.example|alice.aoki@contoso.example>'));
    await waitFor(() => calls('chat.postMessage').find((c) => json(c.args.blocks).includes('contain.approve')), {
      what: 'card from mailto',
    });
  });

  test('Enterprise Grid: an org-wide install delivers enterprise and team ids; the incident records them', async () => {
    const cmd = slashCommand('contain erin evans', 'U0RILEY', {
      enterprise_id: 'E0CONTOSO',
      enterprise_name: 'Contoso Grid',
      is_enterprise_install: 'true',
    });
    await postSlack(stack, cmd);
    await waitFor(() => calls('chat.postMessage').find((c) => json(c.args.blocks).includes('Contain Erin Evans')), { what: 'grid card' });
    const incident = await waitFor(
      async () => (await (await getContext()).store.findIncidents({ targetUserId: SEED_IDS.erin })).find((i) => i.threads.slack?.cardTs),
      { what: 'card ts recorded' },
    );
    expect(incident.threads.slack).toMatchObject({ teamId: 'T0CONTOSO', enterpriseId: 'E0CONTOSO', channel: 'C0SOC' });
    const { ts, ref } = { ts: incident.threads.slack!.cardTs!, ref: `${incident.id}/a01` };
    await postSlack(
      stack,
      blockAction('contain.approve', ref, 'U0QUINN', ts, {
        enterprise: { id: 'E0CONTOSO', name: 'Contoso Grid' },
        is_enterprise_install: true,
      }),
    );
    await waitFor(
      () => calls('chat.update').find((c) => c.args.ts === ts && json(c.args.blocks).includes('Done, approved by Quinn Quigley')),
      { what: 'grid approval' },
    );
  });

  test('investigate from Slack: one progress line edited in place, then the findings with links to the full result', async () => {
    stack.emulator.auditQueryMs = 300;
    await postSlack(stack, slashCommand('investigate alice'));
    const card = await waitFor(() => calls('chat.postMessage').find((c) => json(c.args.blocks).includes('Investigation: Alice Aoki')), {
      what: 'investigation message',
    });
    const first = calls('chat.postMessage').find((c) =>
      /^Reading sign-ins, directory audit and the unified audit log of alice\.aoki@contoso\.example/.test(String(c.args.text)),
    )!;
    expect(first).toBeDefined();
    const ts = [...stack.slack.messages.values()].find(
      (m) => String(m.text).startsWith('Reading sign-ins') || /Unified audit log/.test(String(m.text)),
    )?.ts;
    const edits = calls('chat.update').filter((c) => c.args.ts === ts);
    expect(edits.map((c) => String(c.args.text)).at(-1)).toBe('Unified audit log: 9 records read.');
    const link = /<(http:[^|>]+format=md[^|>]+)\|Markdown>/.exec(json(card.args.blocks))![1].replace(/&amp;/g, '&');
    const md = await fetch(link);
    expect(md.status).toBe(200);
    expect(await md.text()).toContain('# Investigation: Alice Aoki');
  });

  test('a slip of a command word is not a user: the ack lists the commands with "did you mean"; nothing is searched', async () => {
    const r = await postSlack(stack, slashCommand('stauts'));
    expect((r.body as { response_type: string }).response_type).toBe('ephemeral');
    expect(json(r.body)).toContain('Unknown command \\"stauts\\". Did you mean \\"status\\"?');
    await stack.idle();
    expect(stack.emulator.requests().filter((q) => q.path.startsWith('/v1.0/users'))).toHaveLength(0);
    expect(calls('chat.postMessage')).toHaveLength(0);
  });

  test('a malformed command is answered in the ack with the right form', async () => {
    const r = await postSlack(stack, slashCommand('contain alice --forever'));
    expect(json(r.body)).toContain('contain &lt;user&gt;'); // Slack shows it as contain <user>
    expect((r.body as { response_type: string }).response_type).toBe('ephemeral');
  });

  test('an ambiguous name shows buttons to choose; choosing opens the incident', async () => {
    await postSlack(stack, slashCommand('contain ali'));
    const chooser = await waitFor(() => calls('chat.postMessage').find((c) => json(c.args.blocks).includes('Several users match')), {
      what: 'chooser',
    });
    expect(json(chooser.args.blocks)).toContain(`"value":"${SEED_IDS.alicia}"`);
    await postSlack(stack, blockAction(`contain.choose.${SEED_IDS.alicia}`, SEED_IDS.alicia, 'U0RILEY', '1.1'));
    await waitFor(() => calls('chat.postMessage').find((c) => json(c.args.blocks).includes('Contain Alicia Alvarez')), {
      what: 'chosen card',
    });
  });
});

describe('Slack: tenant-controlled text is escaped in everything Contain posts', () => {
  const HOSTILE = '<!channel> <https://evil.example|Open Defender> & <@U0AVERY>';
  /** A mrkdwn control sequence that came from the hostile text: a channel ping, a disguised link, a mention. */
  const leaks = (v: unknown) => /<!channel>|<https:\/\/evil\.example|<@U0AVERY>/.test(json(v));

  test('an inbox rule named like a ping and a link neither pings nor links: cards, status lines, private replies', async () => {
    stack.emulator.state.rules.find((r) => r.data.displayName === '.')!.data.displayName = HOSTILE;
    // Step 5 holds only Alice's two Graph rules here (no forwarding, the hidden rule off), so the card shows it whole.
    const exo = exchangeState(stack.emulator);
    Object.assign(
      exo.mailboxes.find((m) => m.userId === SEED_IDS.alice)!,
      { ForwardingSmtpAddress: null, DeliverToMailboxAndForward: false },
    );
    exo.hiddenRules.find((h) => h.RuleIdentity === HIDDEN_RULE_IDENTITY)!.Enabled = false;
    const { ts } = await openInSlack('contain alice');
    const card = calls('chat.postMessage').find((c) => json(c.args.blocks).includes('Open Defender'))!;
    // The hostile rule's own Approve (rules are ranked by suspicion, so it need not be the first one on the card).
    const incidentId = /INC-\d{8}-\d{4}/.exec(json(card.args.blocks))![0];
    const hostile = (await (await getContext()).store.listActions(incidentId)).find((a) => a.title.includes('Open Defender'))!;
    const rule = `${incidentId}/${hostile.id}`;
    expect(json(card.args.blocks)).toContain(`"action_id":"contain.approve-delete","value":"${rule}"`);
    await postSlack(stack, blockAction('contain.approve', rule, 'U0AVERY', ts));
    await waitFor(() => calls('chat.postMessage').find((c) => c.args.thread_ts === ts && json(c.args.text).includes('Open Defender')), {
      what: 'status line about the rule',
    });
    await waitFor(() => calls('chat.postEphemeral').find((c) => json(c.args.text).includes('Open Defender')), {
      what: 'private reply naming the rule',
    });
    await stack.idle();
    const posted = stack.slack.all().filter((c) => c.method.startsWith('chat.'));
    expect(posted.filter((c) => json(c.args).includes('Open Defender')).length).toBeGreaterThanOrEqual(4);
    expect(posted.filter((c) => leaks(c.args)).map((c) => `${c.method}: ${json(c.args.text)}`)).toEqual([]);
  });

  test('an error reply quoting what was typed does not ping either', async () => {
    const r = await postSlack(stack, slashCommand(`contain ${HOSTILE}`));
    expect(r.status).toBe(200);
    expect(json(r.body)).toContain('evil.example');
    expect(leaks(r.body)).toBe(false);
  });
});

describe('playground config never hands out a real signing secret', () => {
  test('the sandbox secret is served; a configured one is not', async () => {
    const sandbox = await (await fetch(`${stack.url}/sandbox/playground/config`)).json();
    expect(sandbox.slackSigningSecret).toBe('local-sandbox-signing-secret');
    const real = await startTestStack({ SLACK_SIGNING_SECRET: 'a-real-workspace-secret' });
    try {
      const body = await (await fetch(`${real.url}/sandbox/playground/config`)).text();
      expect(body).not.toContain('a-real-workspace-secret');
      expect(JSON.parse(body).slackSigningSecret).toBeNull();
    } finally {
      await real.stop();
    }
  });
});
