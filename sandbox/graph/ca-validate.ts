/**
 * Conditional Access policy bodies as Graph v1.0 accepts them (POST/PATCH identity/conditionalAccess/policies).
 * Documented: the resource types' properties and enums (L/resources/conditionalaccesspolicy and its parts), "A valid
 * policy should contain at least one application rule, user rule, grant/session control" (L/conditionalaccessroot-
 * post-policies), user actions urn:user:registersecurityinfo and urn:user:registerdevice, transferMethods values.
 * Observed: a body that does not match the schema answers 400 "1007: Incoming ConditionalAccessPolicy object is null
 * or does not match the schema of ConditionalAccessPolicy type..." (microsoftgraph/microsoft-graph-docs-contrib#4162).
 * The texts of the other refusals are not public: the sandbox's say what is wrong, with Graph's 400 BadRequest.
 */
import { z } from 'zod';
import { isGuid } from '../../src/ids';
import { GraphHttpError, type GraphEmulator } from './emulator';

const strings = z.array(z.string()).optional();
const risk = z.array(z.enum(['low', 'medium', 'high', 'hidden', 'none', 'unknownFutureValue'])).optional();
/** Built-in authentication strengths (L/authenticationstrengthroot-list-policies). */
export const BUILT_IN_STRENGTHS = [
  '00000000-0000-0000-0000-000000000002',
  '00000000-0000-0000-0000-000000000003',
  '00000000-0000-0000-0000-000000000004',
];
export const USER_ACTIONS = ['urn:user:registersecurityinfo', 'urn:user:registerdevice'];
export const TRANSFER_METHODS = ['none', 'deviceCodeFlow', 'authenticationTransfer', 'unknownFutureValue'];
export const CLIENT_APP_TYPES = ['all', 'browser', 'mobileAppsAndDesktopClients', 'exchangeActiveSync', 'easSupported', 'other'] as const;
export const BUILT_IN_CONTROLS = [
  'block',
  'mfa',
  'compliantDevice',
  'domainJoinedDevice',
  'approvedApplication',
  'compliantApplication',
  'passwordChange',
  'unknownFutureValue',
] as const;

const users = z
  .object({
    includeUsers: strings,
    excludeUsers: strings,
    includeGroups: strings,
    excludeGroups: strings,
    includeRoles: strings,
    excludeRoles: strings,
    includeGuestsOrExternalUsers: z.unknown().optional(),
    excludeGuestsOrExternalUsers: z.unknown().optional(),
  })
  .strict();
const applications = z
  .object({
    includeApplications: strings,
    excludeApplications: strings,
    includeUserActions: strings,
    includeAuthenticationContextClassReferences: strings,
    applicationFilter: z.unknown().optional(),
  })
  .strict();
const conditions = z
  .object({
    applications: applications.nullable().optional(),
    users: users.nullable().optional(),
    clientApplications: z.unknown().optional(),
    clientAppTypes: z.array(z.enum(CLIENT_APP_TYPES)).optional(),
    locations: z.object({ includeLocations: strings, excludeLocations: strings }).strict().nullable().optional(),
    platforms: z.object({ includePlatforms: strings, excludePlatforms: strings }).strict().nullable().optional(),
    devices: z.unknown().optional(),
    signInRiskLevels: risk,
    userRiskLevels: risk,
    servicePrincipalRiskLevels: risk,
    insiderRiskLevels: z.unknown().optional(),
    authenticationFlows: z.object({ transferMethods: z.string() }).strict().nullable().optional(),
  })
  .strict();
const grantControls = z
  .object({
    operator: z.enum(['AND', 'OR']).optional(),
    builtInControls: z.array(z.enum(BUILT_IN_CONTROLS)).optional(),
    customAuthenticationFactors: strings,
    termsOfUse: strings,
    authenticationStrength: z.object({ id: z.string() }).passthrough().nullable().optional(),
  })
  .strict();
const enabled = z.object({ isEnabled: z.boolean() }).passthrough();
const sessionControls = z
  .object({
    applicationEnforcedRestrictions: enabled.nullable().optional(),
    cloudAppSecurity: z
      .object({
        isEnabled: z.boolean(),
        cloudAppSecurityType: z.enum(['mcasConfigured', 'monitorOnly', 'blockDownloads', 'unknownFutureValue']),
      })
      .strict()
      .nullable()
      .optional(),
    persistentBrowser: enabled.nullable().optional(),
    signInFrequency: enabled.nullable().optional(),
    disableResilienceDefaults: z.boolean().nullable().optional(),
    secureSignInSession: enabled.nullable().optional(),
  })
  .strict();
export const policySchema = z
  .object({
    '@odata.type': z.literal('#microsoft.graph.conditionalAccessPolicy').optional(),
    displayName: z.string(),
    state: z.enum(['enabled', 'disabled', 'enabledForReportingButNotEnforced']),
    conditions,
    grantControls: grantControls.nullable().optional(),
    sessionControls: sessionControls.nullable().optional(),
  })
  .strict();

export type PolicyBody = z.infer<typeof policySchema>;

const SCHEMA =
  '1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type. For examples, please see API documentation at https://docs.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies?view=graph-rest-1.0.';
const bad = (message: string) => new GraphHttpError(400, 'BadRequest', message);

/** The policy Graph would store for this body, or Graph's 400. */
export function validatePolicy(em: GraphEmulator, input: unknown): PolicyBody {
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) throw bad(SCHEMA);
  const p = parsed.data;
  if (!p.displayName.trim() || p.displayName.length > 256) throw bad('Invalid policy: displayName must be 1 to 256 characters.');
  const c = p.conditions;
  const u = c.users;
  const a = c.applications;
  // "A valid policy should contain at least one application rule, user rule, grant/session control."
  if (!a || ![a.includeApplications, a.includeUserActions, a.includeAuthenticationContextClassReferences].some((x) => x?.length))
    throw bad(
      'Invalid policy: it must contain an application rule (includeApplications, includeUserActions or an authentication context).',
    );
  if ((!u || ![u.includeUsers, u.includeGroups, u.includeRoles].some((x) => x?.length)) && !c.clientApplications)
    throw bad('Invalid policy: it must contain a user rule (includeUsers, includeGroups or includeRoles).');
  const g = p.grantControls;
  const s = p.sessionControls;
  const grants =
    !!g &&
    ((g.builtInControls?.length ?? 0) > 0 ||
      !!g.authenticationStrength ||
      (g.termsOfUse?.length ?? 0) > 0 ||
      (g.customAuthenticationFactors?.length ?? 0) > 0);
  const sessions =
    !!s && Object.values(s).some((v) => v === true || (typeof v === 'object' && v !== null && (v as { isEnabled?: boolean }).isEnabled));
  if (!grants && !sessions) throw bad('Invalid policy: it must contain at least one grant or session control.');
  if (!c.clientAppTypes?.length) throw bad('Invalid policy: conditions.clientAppTypes is required.');

  if (a.includeUserActions?.some((x) => !USER_ACTIONS.includes(x)))
    throw bad(`Invalid policy: includeUserActions supports ${USER_ACTIONS.join(' and ')}.`);
  if (a.includeUserActions?.length && (a.includeApplications?.length || a.excludeApplications?.length))
    throw bad('Invalid policy: user actions cannot be combined with cloud applications.');
  for (const app of [...(a.includeApplications ?? []), ...(a.excludeApplications ?? [])])
    if (!['All', 'None', 'Office365', 'MicrosoftAdminPortals'].includes(app) && !isGuid(app))
      throw bad(`Invalid policy: '${app}' is not an application id.`);
  checkUsers(em, u);
  for (const l of [...(c.locations?.includeLocations ?? []), ...(c.locations?.excludeLocations ?? [])])
    if (!['All', 'AllTrusted'].includes(l) && !isGuid(l)) throw bad(`Invalid policy: '${l}' is not a named location id.`);
  if (c.authenticationFlows) {
    const methods = c.authenticationFlows.transferMethods.split(',').map((x) => x.trim());
    if (methods.some((x) => !TRANSFER_METHODS.includes(x)))
      throw bad(`Invalid policy: transferMethods takes ${TRANSFER_METHODS.join(', ')}.`);
  }
  if (g && grants) {
    if (!g.operator) throw bad('Invalid policy: grantControls.operator (AND or OR) is required with grant controls.');
    if (g.builtInControls?.includes('block') && (g.builtInControls.length > 1 || g.authenticationStrength))
      throw bad('Invalid policy: block cannot be combined with other grant controls.');
    if (g.authenticationStrength) {
      if (g.builtInControls?.includes('mfa'))
        throw bad('Invalid policy: require multifactor authentication and require authentication strength cannot be used together.');
      if (!BUILT_IN_STRENGTHS.includes(g.authenticationStrength.id))
        throw bad(`Invalid policy: the authentication strength '${g.authenticationStrength.id}' does not exist.`);
    }
  }
  return p;
}

/** Users, groups and roles must be ids Graph knows: a typo would leave an account unprotected or unexcluded. */
function checkUsers(em: GraphEmulator, u: z.infer<typeof users> | null | undefined): void {
  if (!u) return;
  const specials = ['All', 'None', 'GuestsOrExternalUsers'];
  for (const id of [...(u.includeUsers ?? []), ...(u.excludeUsers ?? [])])
    if (!specials.includes(id) && !em.state.users.some((x) => x.id === id.toLowerCase()))
      throw bad(`Invalid policy: the user '${id}' does not exist in the directory.`);
  for (const id of [...(u.includeGroups ?? []), ...(u.excludeGroups ?? [])])
    if (!em.state.groups.some((x) => x.kind === 'group' && x.id === id.toLowerCase()))
      throw bad(`Invalid policy: the group '${id}' does not exist in the directory.`);
  for (const id of [...(u.includeRoles ?? []), ...(u.excludeRoles ?? [])])
    if (!isGuid(id)) throw bad(`Invalid policy: '${id}' is not a role template id.`);
}

/** The stored policy: Graph fills the collections and objects a body left out. */
export function normalizePolicy(p: PolicyBody, id: string, createdDateTime: string): Record<string, unknown> {
  const c = p.conditions;
  const list = (x: string[] | undefined) => x ?? [];
  return {
    id,
    templateId: null,
    displayName: p.displayName,
    createdDateTime,
    modifiedDateTime: null,
    state: p.state,
    conditions: {
      userRiskLevels: c.userRiskLevels ?? [],
      signInRiskLevels: c.signInRiskLevels ?? [],
      clientAppTypes: c.clientAppTypes ?? [],
      servicePrincipalRiskLevels: c.servicePrincipalRiskLevels ?? [],
      platforms: c.platforms ?? null,
      locations: c.locations ?? null,
      devices: c.devices ?? null,
      clientApplications: c.clientApplications ?? null,
      authenticationFlows: c.authenticationFlows ?? null,
      applications: {
        includeApplications: list(c.applications?.includeApplications),
        excludeApplications: list(c.applications?.excludeApplications),
        includeUserActions: list(c.applications?.includeUserActions),
        includeAuthenticationContextClassReferences: list(c.applications?.includeAuthenticationContextClassReferences),
      },
      users: {
        includeUsers: list(c.users?.includeUsers),
        excludeUsers: list(c.users?.excludeUsers),
        includeGroups: list(c.users?.includeGroups),
        excludeGroups: list(c.users?.excludeGroups),
        includeRoles: list(c.users?.includeRoles),
        excludeRoles: list(c.users?.excludeRoles),
      },
    },
    grantControls: p.grantControls
      ? {
          operator: p.grantControls.operator,
          builtInControls: list(p.grantControls.builtInControls),
          customAuthenticationFactors: list(p.grantControls.customAuthenticationFactors),
          termsOfUse: list(p.grantControls.termsOfUse),
          authenticationStrength: p.grantControls.authenticationStrength ?? null,
        }
      : null,
    sessionControls: p.sessionControls ?? null,
  };
}
