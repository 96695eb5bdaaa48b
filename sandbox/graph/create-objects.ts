/**
 * Creating the objects Graph lets an app create on a user, with Graph's rules; the POST routes and
 * POST /sandbox/scenario both go through here, so a scenario never builds what Graph would refuse.
 * Refusal codes and messages are not documented for these calls: the sandbox answers 400 naming the rule broken.
 */
import { randomBytes } from 'node:crypto';
import { GraphHttpError } from './emulator';
import type { TenantData } from './seed';
import type { SeedMethod } from './seed-objects';

/** mailfolder-post-messagerules: displayName, sequence and actions are required; the folders a rule names must exist. */
export function createMessageRule(
  state: TenantData,
  userId: string,
  b: Record<string, unknown>,
  id = `AQAAA${randomBytes(5).toString('base64').replace(/[+/=]/g, 'A')}=`,
): Record<string, unknown> {
  if (typeof b.displayName !== 'string' || !b.displayName)
    throw new GraphHttpError(400, 'ErrorInvalidRequest', 'The displayName property is required.');
  if (!Number.isInteger(b.sequence) || (b.sequence as number) < 1)
    throw new GraphHttpError(400, 'ErrorInvalidRequest', 'The sequence property is required and must be a positive integer.');
  if (!b.actions || typeof b.actions !== 'object')
    throw new GraphHttpError(400, 'ErrorInvalidRequest', 'The actions property is required.');
  const actions = b.actions as Record<string, unknown>;
  for (const k of ['moveToFolder', 'copyToFolder']) {
    const folder = actions[k];
    if (folder !== undefined && folder !== null && !state.folders.some((f) => f.userId === userId && f.id === folder))
      throw new GraphHttpError(400, 'ErrorItemNotFound', 'The specified folder could not be found in the store.');
  }
  const data: Record<string, unknown> = {
    id,
    displayName: b.displayName,
    sequence: b.sequence,
    isEnabled: b.isEnabled ?? true,
    hasError: false,
    isReadOnly: false,
    conditions: b.conditions ?? {},
    actions,
    ...(b.exceptions ? { exceptions: b.exceptions } : {}),
  };
  state.rules.push({ userId, data });
  return data;
}

/** Phone methods have one fixed id per phoneType (phoneauthenticationmethod). */
export const PHONE_METHOD_IDS = {
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
} as const;
export type PhoneType = keyof typeof PHONE_METHOD_IDS;
/** The one email method a user may have has this id (authentication-post-emailmethods). */
export const EMAIL_METHOD_ID = '3ddfcfc8-9383-446f-83cc-3ab9be4be18f';

const methodsOf = (state: TenantData, userId: string) => state.methods.filter((m) => m.userId === userId);

/**
 * authentication-post-phonemethods: "A user may only have one phone of each type ... a user must always have a mobile
 * phone before adding an alternateMobile phone"; numbers are `+{country code} {number}x{extension}`.
 */
export function createPhoneMethod(state: TenantData, userId: string, b: Record<string, unknown>): Record<string, unknown> {
  const type = b.phoneType as PhoneType;
  if (!(typeof type === 'string' && type in PHONE_METHOD_IDS))
    throw new GraphHttpError(400, 'badRequest', 'phoneType must be one of mobile, alternateMobile, office.');
  if (typeof b.phoneNumber !== 'string' || !/^\+\d{1,3} \d{4,15}(x\d{1,10})?$/.test(b.phoneNumber))
    throw new GraphHttpError(
      400,
      'badRequest',
      'phoneNumber must be in the format "+{country code} {number}x{extension}", for example "+1 5555551234".',
    );
  if ('smsSignInState' in b) throw new GraphHttpError(400, 'badRequest', 'smsSignInState is read-only.');
  const phones = methodsOf(state, userId).filter((m) => m.type === 'phone');
  if (phones.some((m) => m.id === PHONE_METHOD_IDS[type]))
    throw new GraphHttpError(400, 'badRequest', `The user already has a ${type} phone.`);
  if (type === 'alternateMobile' && !phones.some((m) => m.id === PHONE_METHOD_IDS.mobile))
    throw new GraphHttpError(400, 'badRequest', 'A user must have a mobile phone before an alternateMobile phone is added.');
  const id = PHONE_METHOD_IDS[type];
  const data = {
    '@odata.type': '#microsoft.graph.phoneAuthenticationMethod',
    id,
    phoneNumber: b.phoneNumber,
    phoneType: type,
    smsSignInState: type === 'mobile' ? 'notAllowedByPolicy' : 'notSupported',
  };
  state.methods.push({ userId, type: 'phone', id, data } satisfies SeedMethod);
  return data;
}

/** authentication-post-emailmethods: "A user may only have one email authentication method." */
export function createEmailMethod(state: TenantData, userId: string, b: Record<string, unknown>): Record<string, unknown> {
  if (typeof b.emailAddress !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(b.emailAddress))
    throw new GraphHttpError(400, 'badRequest', 'emailAddress must be an email address.');
  if (methodsOf(state, userId).some((m) => m.type === 'email'))
    throw new GraphHttpError(400, 'badRequest', 'The user already has an email authentication method.');
  const data = { '@odata.type': '#microsoft.graph.emailAuthenticationMethod', id: EMAIL_METHOD_ID, emailAddress: b.emailAddress };
  state.methods.push({ userId, type: 'email', id: EMAIL_METHOD_ID, data });
  return data;
}
