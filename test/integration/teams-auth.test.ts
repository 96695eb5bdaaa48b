import type { LocalStack } from '../../sandbox/local-stack';
import { startTestStack } from '../helpers/stack';
import { PEOPLE, channelMention, post } from '../helpers/teams';

/** With a bot registration configured, botbuilder checks the Bot Framework JWT: unsigned activities are refused. */
describe('Teams endpoint with a bot app id', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack({ MicrosoftAppId: '11111111-2222-4333-8444-555555555555', MicrosoftAppPassword: 'not-a-real-secret', MicrosoftAppType: 'MultiTenant' });
  });
  afterAll(() => stack?.stop());

  test('an activity without a token is rejected with 401: nothing queued, no Graph call', async () => {
    await new Promise((r) => setTimeout(r, 300)); // let the stack's own start-up roster warm-up finish
    const mark = stack.emulator.requests().length;
    const res = await post(stack, channelMention(stack, PEOPLE.riley, 'contain alice'));
    expect(res.status).toBe(401);
    await stack.idle();
    expect(stack.connector.all()).toHaveLength(0);
    expect(stack.emulator.requests().slice(mark)).toHaveLength(0);
  });

  test('a forged bearer token is rejected too', async () => {
    const r = await fetch(`${stack.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiIxMTExIn0.' }, body: JSON.stringify(channelMention(stack, PEOPLE.riley, 'contain alice')) });
    expect(r.status).toBe(401);
  });
});
