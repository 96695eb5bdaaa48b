import { createSign, generateKeyPairSync } from 'node:crypto';
import type { LocalStack } from '../../sandbox/local-stack';
import { startTestStack } from '../helpers/stack';
import { PEOPLE, channelMention, post } from '../helpers/teams';

/** With a bot registration configured, botbuilder checks the Bot Framework JWT: unsigned activities are refused. */
const APP_ID = '11111111-2222-4333-8444-555555555555';

/** A well-formed RS256 JWT with the Bot Framework's issuer and our audience, signed with a key nobody published. */
function selfSignedJwt(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'self-made-key' })}.${b64({ iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: 'http://127.0.0.1/', nbf: now - 60, exp: now + 3600 })}`;
  return `${head}.${createSign('RSA-SHA256').update(head).sign(privateKey).toString('base64url')}`;
}

describe('Teams endpoint with a bot app id', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret', MicrosoftAppType: 'MultiTenant' });
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
    const r = await fetch(`${stack.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiIxMTExIn0.' },
      body: JSON.stringify(channelMention(stack, PEOPLE.riley, 'contain alice')),
    });
    expect(r.status).toBe(401);
  });

  test("a self-signed JWT gets 401, not a 500 carrying botbuilder's error text", async () => {
    const mark = stack.emulator.requests().length;
    const r = await fetch(`${stack.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${selfSignedJwt()}` },
      body: JSON.stringify(channelMention(stack, PEOPLE.riley, 'contain alice')),
    });
    expect(r.status).toBe(401);
    expect(await r.text()).toBe(JSON.stringify({ error: 'Unauthorized' }));
    await stack.idle();
    expect(stack.connector.all()).toHaveLength(0);
    expect(stack.emulator.requests().slice(mark)).toHaveLength(0);
  });

  test("a body that is not an activity is answered 400 without botbuilder's text", async () => {
    const r = await fetch(`${stack.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${selfSignedJwt()}` },
      body: JSON.stringify({ type: 42 }),
    });
    expect(r.status).toBe(400);
    expect(await r.text()).not.toMatch(/validateAndFixActivity|ZodError|botbuilder/i);
  });
});
