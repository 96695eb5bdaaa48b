import type { WebClient } from '@slack/web-api';
import type { ContainContext } from '../../src/context';
import { ContainError } from '../../src/errors';
import { decide } from '../../src/incidents/decide';
import { proposeAgain } from '../../src/incidents/propose-again';
import { releaseFastPath } from '../../src/incidents/open-containment';
import { updateThreads } from '../../src/incidents/threads';
import type { WorkMessage } from '../../src/store/work-queue';
import type { View } from '../../src/views/types';
import { parseCommand, type Command } from '../../src/commands';
import { errorView } from '../errors';
import { route } from '../router';
import { progressLine } from '../progress';
import { escapeSlack } from '../../cards/text';
import { slackClient } from './client';
import { slackActor, slackEmail } from './identity';
import { slackMessage } from './render';

type SlackCommandMessage = Extract<WorkMessage, { type: 'slack-command' }>;
type SlackActionMessage = Extract<WorkMessage, { type: 'slack-action' }>;
type ActorRef = SlackCommandMessage['actor'];

/** A queued /contain command or mention: run it and post the result in the channel. */
export async function runSlackCommand(ctx: ContainContext, msg: SlackCommandMessage): Promise<void> {
  const client = slackClient(ctx.config);
  const log = ctx.log.child({ correlationId: msg.key, platform: 'slack', channel: msg.channel });
  let command: Command;
  try {
    command = parseCommand(msg.text);
  } catch (err) {
    await post(client, msg.channel, errorView(err, log), msg.threadTs);
    return;
  }
  await runCommand(ctx, client, { command, actor: msg.actor, channel: msg.channel, threadTs: msg.threadTs, log });
}

async function runCommand(ctx: ContainContext, client: WebClient, input: { command: Command; actor: ActorRef; channel: string; threadTs?: string; log: ContainContext['log'] }): Promise<void> {
  const progress = progressLine(
    async (text) => (await client.chat.postMessage({ channel: input.channel, ...(input.threadTs ? { thread_ts: input.threadTs } : {}), text: escapeSlack(text) })).ts,
    async (ts, text) => void (await client.chat.update({ channel: input.channel, ts, text: escapeSlack(text) })),
    input.log,
  );
  try {
    const actor = await slackActor(ctx, client, input.actor);
    const out = await route(ctx, {
      command: input.command,
      actor,
      thread: { slack: { teamId: input.actor.teamId, enterpriseId: input.actor.enterpriseId, channel: input.channel } },
      progress,
      resolveSlackUser: async (id) => {
        const email = await slackEmail(client, id);
        if (!email) throw new ContainError('USER_NOT_FOUND', 'Slack has no email address for that person, so Contain cannot find them in Entra ID. Type their name or UPN instead.');
        return email;
      },
    });
    for (const view of out.views) {
      const r = await post(client, input.channel, view, input.threadTs);
      const incidentId = out.incidentId;
      if (incidentId && view.kind === 'containment') {
        if (r.ts) await updateThreads(ctx, incidentId, (t) => (t.slack ? { ...t, slack: { ...t.slack, cardTs: r.ts } } : t));
        await releaseFastPath(ctx, incidentId);
      }
    }
  } catch (err) {
    await post(client, input.channel, errorView(err, input.log), input.threadTs);
  }
}

/** A queued button press: decide (policy, compare-and-swap), update the shared message, tell the clicker privately. */
export async function runSlackAction(ctx: ContainContext, msg: SlackActionMessage): Promise<void> {
  const client = slackClient(ctx.config);
  const log = ctx.log.child({ correlationId: msg.key, platform: 'slack', channel: msg.channel });
  const tell = (text: string) => client.chat.postEphemeral({ channel: msg.channel, user: msg.actor.userId, text: escapeSlack(text) });
  try {
    if (msg.verb === 'choose') {
      const [userId, flag] = msg.value.split('|');
      if (!/^[0-9a-f-]{36}$/i.test(userId)) throw new ContainError('INVALID_INPUT', 'That button is not one Contain made.');
      await runCommand(ctx, client, { command: { name: 'contain', target: { kind: 'id', value: userId.toLowerCase() }, dryRun: flag === 'dry-run' }, actor: msg.actor, channel: msg.channel, log });
      return;
    }
    const actor = await slackActor(ctx, client, msg.actor);
    if (msg.verb === 'repropose') {
      const again = await proposeAgain(ctx, msg.value, actor);
      const incident = await ctx.store.getIncident(again.incidentId);
      await client.chat.update({ channel: msg.channel, ts: incident?.threads.slack?.cardTs ?? msg.messageTs, ...slackMessage(again.view) });
      return;
    }
    const result = await decide(ctx, { ref: msg.value, verb: msg.verb, actor });
    if (result.kind === 'not-found') {
      await tell(result.message);
      return;
    }
    if (result.shared) await client.chat.update({ channel: msg.channel, ts: result.incident.threads.slack?.cardTs ?? msg.messageTs, ...slackMessage(result.shared) });
    await tell(result.message);
  } catch (err) {
    const v = errorView(err, log);
    await tell(`${v.title}: ${v.text}`).catch(() => undefined);
  }
}

async function post(client: WebClient, channel: string, view: View, threadTs?: string): Promise<{ ts?: string }> {
  const r = await client.chat.postMessage({ channel, ...(threadTs ? { thread_ts: threadTs } : {}), ...slackMessage(view) });
  return { ts: r.ts };
}

