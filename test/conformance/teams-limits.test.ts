import { FakeConnector } from '../../sandbox/connector';
import { TEAMS_LIMITS, teamsPayloadBytes } from '../../sandbox/teams-limits';

/**
 * The fake Bot Connector refuses what Teams refuses or cannot show.
 * Size: https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages ("The bot message size
 * limit is 100 KB ... 413 status code (RequestEntityTooLarge), which contains the error code MessageSizeTooBig ...
 * the entire message payload encoded as UTF-16 and doesn't include Base64 encoded images"; 100 KB read as 100,000
 * bytes) and the status code table of
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages#status-codes-from-bot-conversational-apis
 * (413, code MessageSizeTooBig, message "Message size too large.").
 * Cards: https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference#support-for-adaptive-cards
 * (v1.5 or earlier for bot-sent cards; no Media elements) and
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards
 * (refresh and Action.Execute need version 1.5; refresh.userIds at most 60). Teams posts such cards and its clients show
 * "We're sorry, this card couldn't be displayed"; the fake answers 400 so that tests see it. The docs are silent on
 * Action.ShowCard inside Action.Execute and on element counts: not encoded.
 */
let connector: FakeConnector;
beforeEach(() => {
  connector = new FakeConnector();
});

const CONV = '19:soc-incidents@thread.tacv2;messageid=1';
const path = (id?: string) => `/v3/conversations/${encodeURIComponent(CONV)}/activities${id ? `/${id}` : ''}`;
const send = (activity: unknown, id?: string) => connector.handle('POST', path(id), JSON.stringify(activity));
const update = (id: string, activity: unknown) => connector.handle('PUT', path(id), JSON.stringify(activity));

/** A message activity whose JSON is exactly `bytes` UTF-16 bytes (`bytes` even). */
function ofBytes(bytes: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = JSON.stringify({ type: 'message', ...extra, text: '' }).length;
  return { type: 'message', ...extra, text: 'x'.repeat(bytes / 2 - base) };
}
const card = (content: Record<string, unknown>) => ({
  type: 'message',
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'Contain Alice Aoki' }], ...content },
    },
  ],
});

describe('message size: 100 KB of UTF-16, 413 MessageSizeTooBig past it', () => {
  test('an activity of exactly 100,000 UTF-16 bytes is posted; 100,002 is refused and nothing is posted', () => {
    const at = ofBytes(TEAMS_LIMITS.messageBytes);
    expect(teamsPayloadBytes(JSON.stringify(at))).toBe(100_000);
    expect(send(at).status).toBe(200);
    expect(connector.all()).toHaveLength(1);
    const r = send(ofBytes(TEAMS_LIMITS.messageBytes + 2));
    expect(r).toEqual({ status: 413, body: { error: { code: 'MessageSizeTooBig', message: 'Message size too large.' } } });
    expect(connector.all()).toHaveLength(1);
    expect(connector.refusals()).toMatchObject([{ op: 'send', status: 413, code: 'MessageSizeTooBig', bytes: 100_002 }]);
  });

  test('size is UTF-16, not UTF-8: 50,000 characters of Japanese are 100,000 bytes (150,000 in UTF-8) and fit', () => {
    const base = JSON.stringify({ type: 'message', text: '' }).length;
    const jp = { type: 'message', text: 'あ'.repeat(50_000 - base) };
    expect(Buffer.byteLength(JSON.stringify(jp), 'utf8')).toBeGreaterThan(140_000);
    expect(send(jp).status).toBe(200);
    // An astral character (an emoji) is two UTF-16 code units: four bytes.
    expect(teamsPayloadBytes('😀')).toBe(4);
  });

  test('Base64 images are not counted', () => {
    const image = `data:image/png;base64,${'A'.repeat(120_000)}`;
    const withImage = { ...card({ version: '1.5', body: [{ type: 'Image', url: image }] }) };
    expect(JSON.stringify(withImage).length * 2).toBeGreaterThan(240_000);
    expect(send(withImage).status).toBe(200);
  });

  test('replies and updates (PUT) are held to the same limit; a refused update leaves the message as it was', () => {
    const { body } = send({ type: 'message', text: 'card' });
    const id = (body as { id: string }).id;
    expect(send(ofBytes(100_002), id).status).toBe(413);
    expect(update(id, ofBytes(100_002)).status).toBe(413);
    expect(connector.activities().get(id)?.activity.text).toBe('card');
    expect(update(id, ofBytes(100_000)).status).toBe(200);
    expect(connector.refusals().map((r) => r.op)).toEqual(['reply', 'update']);
  });

  test("a new conversation's first activity is held to it too", () => {
    const r = connector.handle(
      'POST',
      '/v3/conversations',
      JSON.stringify({ isGroup: true, channelData: { channel: { id: '19:soc' } }, activity: ofBytes(100_002) }),
    );
    expect(r.status).toBe(413);
    expect(connector.all()).toHaveLength(0);
  });

  test('the limit is configurable (the page said 40 KB before it said 100 KB)', () => {
    const strict = new FakeConnector({ maxMessageBytes: 40_000 });
    expect(strict.handle('POST', path(), JSON.stringify(ofBytes(40_000))).status).toBe(200);
    expect(strict.handle('POST', path(), JSON.stringify(ofBytes(40_002))).status).toBe(413);
    strict.limits.maxMessageBytes = 200_000;
    expect(strict.handle('POST', path(), JSON.stringify(ofBytes(150_000))).status).toBe(200);
  });
});

describe('Adaptive Cards Teams cannot show are refused (400 BadArgument)', () => {
  test('version 1.5 is posted; 1.6 is refused, saying why', () => {
    expect(send(card({ version: '1.5' })).status).toBe(200);
    const r = send(card({ version: '1.6' }));
    expect(r.status).toBe(400);
    expect((r.body as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'BadArgument',
      message: expect.stringContaining('up to version 1.5'),
    });
    expect(send(card({ version: '1.10' })).status).toBe(400);
  });

  test('a Media element, even nested in a container or an Action.ShowCard, is refused', () => {
    const media = { type: 'Media', sources: [{ mimeType: 'video/mp4', url: 'https://contoso.example/v.mp4' }] };
    expect(send(card({ version: '1.5', body: [{ type: 'Container', items: [media] }] })).status).toBe(400);
    expect(
      send(card({ version: '1.5', actions: [{ type: 'Action.ShowCard', title: 'More', card: { type: 'AdaptiveCard', body: [media] } }] }))
        .status,
    ).toBe(400);
  });

  test('Action.Execute or refresh in a card below 1.5 is refused; in 1.5 it is posted', () => {
    const execute = { type: 'Action.Execute', title: 'Approve', verb: 'approve', fallback: { type: 'Action.Submit', title: 'Approve' } };
    expect(send(card({ version: '1.4', actions: [execute] })).status).toBe(400);
    expect(send(card({ version: '1.4', refresh: { action: { type: 'Action.Execute', verb: 'refresh' } } })).status).toBe(400);
    expect(send(card({ version: '1.5', actions: [execute] })).status).toBe(200);
  });

  test('refresh.userIds holds at most 60 MRIs', () => {
    const refresh = (n: number) => ({
      action: { type: 'Action.Execute', verb: 'refresh' },
      userIds: Array.from({ length: n }, (_, i) => `29:user${i}`),
    });
    expect(send(card({ version: '1.5', refresh: refresh(60) })).status).toBe(200);
    expect(send(card({ version: '1.5', refresh: refresh(61) })).status).toBe(400);
  });

  test('an update carrying a card Teams cannot show is refused', () => {
    const id = (send(card({ version: '1.5' })).body as { id: string }).id;
    expect(update(id, card({ version: '1.6' })).status).toBe(400);
    expect(connector.refusals()).toMatchObject([{ op: 'update', code: 'BadArgument' }]);
  });
});
