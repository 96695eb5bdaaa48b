import { SEED_IDS } from '../../sandbox/graph/seed';
import { EMAIL_METHOD_ID, PHONE_METHOD_IDS } from '../../sandbox/graph/create-objects';
import { serveEmulator } from '../helpers/emulator-server';

/**
 * The authentication methods an app may add for a user, as Graph allows them.
 * https://learn.microsoft.com/graph/api/authentication-post-phonemethods: "A user may only have one phone of each type
 * ... a user must always have a mobile phone before adding an alternateMobile phone"; `+{country code} {number}x{ext}`;
 * smsSignInState is read-only; UserAuthenticationMethod.ReadWrite.All; 201 with the method, whose id is fixed per type
 * (https://learn.microsoft.com/graph/api/resources/phoneauthenticationmethod).
 * https://learn.microsoft.com/graph/api/authentication-post-emailmethods: "A user may only have one email
 * authentication method"; same permission; id 3ddfcfc8-9383-446f-83cc-3ab9be4be18f.
 * Microsoft Authenticator, FIDO2, Windows Hello and software OATH methods have no create call in v1.0
 * (https://learn.microsoft.com/graph/api/resources/softwareoathauthenticationmethod lists List, Get and Delete only).
 * The refusals' codes and messages are not documented: the sandbox answers 400 badRequest naming the rule.
 */
let server: Awaited<ReturnType<typeof serveEmulator>>;
beforeAll(async () => {
  server = await serveEmulator();
});
afterAll(() => server.close());
beforeEach(() => server.emulator.reset());

async function post(
  user: string,
  segment: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> & { error?: { code: string; message: string } } }> {
  const r = await fetch(`${server.baseUrl}/v1.0/users/${user}/authentication/${segment}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}
const methodIds = (user: string) => server.emulator.state.methods.filter((m) => m.userId === user).map((m) => m.id);

describe('POST /users/{id}/authentication/phoneMethods', () => {
  test('Alice has a mobile phone: an alternateMobile and an office phone are added, each with its fixed id', async () => {
    const alt = await post(SEED_IDS.alice, 'phoneMethods', { phoneNumber: '+44 7700900123', phoneType: 'alternateMobile' });
    expect(alt).toMatchObject({
      status: 201,
      body: { id: PHONE_METHOD_IDS.alternateMobile, phoneNumber: '+44 7700900123', phoneType: 'alternateMobile' },
    });
    expect((await post(SEED_IDS.alice, 'phoneMethods', { phoneNumber: '+1 5555551234x123', phoneType: 'office' })).status).toBe(201);
    expect(methodIds(SEED_IDS.alice)).toEqual(expect.arrayContaining([PHONE_METHOD_IDS.alternateMobile, PHONE_METHOD_IDS.office]));
    // Listed with the other methods, and deletable as they are.
    const list = await (await fetch(`${server.baseUrl}/v1.0/users/${SEED_IDS.alice}/authentication/methods`)).json();
    expect(JSON.stringify(list)).toContain(PHONE_METHOD_IDS.office);
    const del = await fetch(`${server.baseUrl}/v1.0/users/${SEED_IDS.alice}/authentication/phoneMethods/${PHONE_METHOD_IDS.office}`, {
      method: 'DELETE',
    });
    expect(del.status).toBe(204);
  });

  test('a second phone of a type the user has is refused', async () => {
    const r = await post(SEED_IDS.alice, 'phoneMethods', { phoneNumber: '+44 7700900123', phoneType: 'mobile' });
    expect(r.status).toBe(400);
    expect(methodIds(SEED_IDS.alice).filter((id) => id === PHONE_METHOD_IDS.mobile)).toHaveLength(1);
  });

  test('alternateMobile needs a mobile phone first', async () => {
    expect((await post(SEED_IDS.carol, 'phoneMethods', { phoneNumber: '+44 7700900123', phoneType: 'alternateMobile' })).status).toBe(400);
    expect((await post(SEED_IDS.carol, 'phoneMethods', { phoneNumber: '+44 7700900123', phoneType: 'mobile' })).status).toBe(201);
    expect((await post(SEED_IDS.carol, 'phoneMethods', { phoneNumber: '+44 7700900124', phoneType: 'alternateMobile' })).status).toBe(201);
  });

  test.each<[Record<string, string>, string]>([
    [{ phoneNumber: '07700900123', phoneType: 'office' }, 'a number without +country code'],
    [{ phoneNumber: '+44 7700900123', phoneType: 'pager' }, 'an unknown phoneType'],
    [{ phoneNumber: '+44 7700900123', phoneType: 'office', smsSignInState: 'ready' }, 'the read-only smsSignInState'],
  ])('%j is refused (%s)', async (body) => {
    expect((await post(SEED_IDS.alice, 'phoneMethods', body)).status).toBe(400);
  });
});

describe('POST /users/{id}/authentication/emailMethods', () => {
  test('one email method is added; a second is refused', async () => {
    expect(await post(SEED_IDS.alice, 'emailMethods', { emailAddress: 'alice.recovery@outlook-mail.example' })).toMatchObject({
      status: 201,
      body: { id: EMAIL_METHOD_ID, emailAddress: 'alice.recovery@outlook-mail.example' },
    });
    expect((await post(SEED_IDS.alice, 'emailMethods', { emailAddress: 'other@outlook-mail.example' })).status).toBe(400);
    expect((await post(SEED_IDS.bob, 'emailMethods', { emailAddress: 'not an address' })).status).toBe(400);
  });
});

test('without UserAuthenticationMethod.ReadWrite.All both are refused 403 and nothing is added', async () => {
  server.emulator.state.app.permissions = server.emulator.state.app.permissions.filter(
    (p) => p !== 'UserAuthenticationMethod.ReadWrite.All',
  );
  const before = methodIds(SEED_IDS.alice).length;
  expect(await post(SEED_IDS.alice, 'phoneMethods', { phoneNumber: '+44 7700900123', phoneType: 'office' })).toMatchObject({
    status: 403,
    body: { error: { code: 'Authorization_RequestDenied' } },
  });
  expect((await post(SEED_IDS.alice, 'emailMethods', { emailAddress: 'a@b.example' })).status).toBe(403);
  expect(methodIds(SEED_IDS.alice)).toHaveLength(before);
});
