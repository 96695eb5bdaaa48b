import type { WebClient } from '@slack/web-api';
import type { Incident } from '../../src/incidents/model';
import type { Notifier } from '../../src/incidents/notifier';
import type { IncidentView } from '../../src/views/types';
import { escapeSlack } from '../../cards/text';
import { slackMessage } from './render';
import { asSlackThread } from './thread';

/** Updates into the incident's Slack thread: chat.update on the card, chat.postMessage as a thread reply. */
export function slackNotifier(client: WebClient): Notifier {
  return {
    async updateCard(incident: Incident, view: IncidentView) {
      if (!incident.threads.slack) return;
      const t = asSlackThread(incident.threads.slack);
      if (t.cardTs) await client.chat.update({ channel: t.channel, ts: t.cardTs, ...slackMessage(view) });
      else await client.chat.postMessage({ channel: t.channel, ...slackMessage(view) });
    },
    async postStatus(incident: Incident, text: string) {
      if (!incident.threads.slack) return;
      const t = asSlackThread(incident.threads.slack);
      await client.chat.postMessage({ channel: t.channel, thread_ts: t.cardTs, text: escapeSlack(text), mrkdwn: false });
    },
  };
}
