/**
 * Who the sandbox tenant believes Contain is: the application permissions granted to its service principal and the
 * directory roles assigned to it (GET/PUT /sandbox/app, validated in app-rules.ts), plus the tenant's own prerequisites (the message-trace
 * service principal, the Power Platform registration, licences; GET/PUT /sandbox/tenant). Every emulated route
 * checks its documented needs against this before it runs (app-rules.ts); the identity endpoints
 * (routes-identity.ts) show the same state with Graph's shapes, so `contain doctor` reads what the routes enforce.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { GraphEmulator } from './emulator';
import { GLOBAL_ADMIN_TEMPLATE, TENANT_ID } from './ids';

/** Microsoft Graph's own application id (the resource of every Graph app role). */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** Microsoft's message-trace application, whose service principal must exist in the tenant (exchangemessagetrace docs). */
export const MESSAGE_TRACE_APP_ID = '8bd644d1-64a1-4d4b-ae52-2e0cbf64e373';
/** Contain's app in the sandbox tenant: the local stack runs as it (AZURE_CLIENT_ID). */
export const SANDBOX_APP = {
  appId: 'c0a7a1e0-0000-4000-8000-00000000a99d',
  servicePrincipalId: '5b000000-0000-4000-8000-00000000c0a7',
  displayName: 'Contain',
};
export const GRAPH_SP_ID = '5b000000-0000-4000-8000-000000000ms1';
const MESSAGE_TRACE_SP_ID = '5b000000-0000-4000-8000-0000000e7ace';
/** Office 365 Exchange Online (the resource of Exchange.ManageAsApp) and that role's id, as in every tenant. */
export const EXCHANGE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
export const EXCHANGE_SP_ID = '5b000000-0000-4000-8000-0000000e8c4a';
export const EXCHANGE_APP_ROLES = [
  {
    allowedMemberTypes: ['Application'],
    description: "Allows the app to manage the organization's Exchange environment without any user interaction.",
    displayName: 'Manage Exchange As Application',
    id: 'dc50a0fb-09a3-484d-be87-e023b12c6440',
    isEnabled: true,
    origin: 'Application',
    value: 'Exchange.ManageAsApp',
  },
];

/** Built-in directory roles by display name -> role template id (the same in every tenant). */
export const ROLE_TEMPLATES: Record<string, string> = {
  'Global Administrator': GLOBAL_ADMIN_TEMPLATE,
  'User Administrator': 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  'Privileged Authentication Administrator': '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
  'Authentication Administrator': 'c4e39bd9-1100-46d3-8c65-fb160da0071f',
  'Helpdesk Administrator': '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  'Cloud Device Administrator': '7698a772-787b-4ac8-901f-60d6b08affd2',
  'Intune Administrator': '3a2c62db-5318-420d-8d74-23affee5d9d5',
  'Privileged Role Administrator': 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  'Exchange Administrator': '29232cdf-9323-42fd-ade2-1d097af3e4de',
  'Exchange Recipient Administrator': '31392ffb-586c-42d1-9346-e59415a2cc4e',
  'Compliance Administrator': '17315797-102d-40b4-93e0-432062caca18',
  'Power Platform Administrator': '11648597-926c-4cf3-9c36-bcebb0ba8dcc',
  'Security Administrator': '194ae4cb-b126-40b2-bd5b-6091b380977d',
  'Security Reader': '5d6b6bb7-de71-4623-b4af-96380a352509',
  'Global Reader': 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
};

/** Exactly what docs/permissions.md says Contain needs (a test keeps the two equal). */
export const DEFAULT_APP = {
  permissions: [
    'User.Read.All',
    'Directory.Read.All',
    'AuditLog.Read.All',
    'User.RevokeSessions.All',
    'User-PasswordProfile.ReadWrite.All',
    'UserAuthenticationMethod.ReadWrite.All',
    'Device.ReadWrite.All',
    'MailboxSettings.ReadWrite',
    'Mail.ReadBasic.All',
    'DelegatedPermissionGrant.ReadWrite.All',
    'ThreatHunting.Read.All',
    'ExchangeMessageTrace.Read.All',
    'AuditLogsQuery.Read.All',
    'Policy.Read.All',
    'Application.ReadWrite.All',
    // Optional (alerts open incidents; confirm compromised and its undo): the sandbox tenant has them all.
    'IdentityRiskyUser.Read.All',
    'IdentityRiskyUser.ReadWrite.All',
    'SecurityAlert.Read.All',
    'SecurityIncident.Read.All',
    // Optional (defensive measures from posture): the sandbox grants them so the playground can apply measures.
    'Policy.ReadWrite.ConditionalAccess',
    'Group.ReadWrite.All',
    'Policy.ReadWrite.Authorization',
  ],
  directoryRoles: ['User Administrator', 'Cloud Device Administrator', 'Exchange Administrator'],
  // The Exchange admin API (optional in docs/permissions.md): the Office 365 Exchange Online app role, and the
  // management roles of custom Exchange role groups the app is a member of (none: the Entra role above covers it).
  exchange: { permissions: ['Exchange.ManageAsApp'], managementRoles: [] as string[] },
};

export interface AppIdentity {
  permissions: string[];
  directoryRoles: string[];
  /** Absent: no Office 365 Exchange Online permission and no Exchange role group membership. */
  exchange?: { permissions: string[]; managementRoles: string[] };
}

/** Service plans of the sandbox's one subscription (Microsoft 365 E5: Entra ID P1/P2, Defender for Office 365 P2, Audit). */
export const DEFAULT_SERVICE_PLANS = [
  'AAD_PREMIUM',
  'AAD_PREMIUM_P2',
  'THREAT_INTELLIGENCE',
  'M365_ADVANCED_AUDITING',
  'EXCHANGE_S_ENTERPRISE',
  'ADALLOM_S_STANDALONE',
];

export const tenantSettingsSchema = z.object({
  /** Microsoft's message-trace service principal exists in the tenant (without it message trace answers 401). */
  messageTraceServicePrincipal: z.boolean().optional(),
  /** Contain's client id is registered as a Power Platform management app (without it the admin API answers 403). */
  powerPlatformManagementApp: z.boolean().optional(),
  /** Service plan names the tenant's subscription carries, e.g. AAD_PREMIUM; replaces the list. */
  servicePlans: z
    .array(z.string().regex(/^[A-Z0-9_]{2,60}$/))
    .max(50)
    .optional(),
});
export type TenantSettings = Required<z.infer<typeof tenantSettingsSchema>>;

/** A GUID derived from a name: stable app role ids for the sandbox's Graph (not Microsoft's real ones; doctor maps by value). */
export function nameGuid(name: string): string {
  const h = createHash('sha1').update(`contain-sandbox:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The identity part of a fresh sandbox tenant. */
export function seedIdentity(now: number) {
  const created = new Date(now - 400 * 86_400_000).toISOString();
  const sp = (id: string, appId: string, displayName: string, owner: string, extra: Record<string, unknown> = {}) => ({
    data: {
      id,
      appId,
      displayName,
      accountEnabled: true,
      appOwnerOrganizationId: owner,
      servicePrincipalType: 'Application',
      replyUrls: [],
      tags: [],
      ...extra,
    },
  });
  return {
    app: structuredClone(DEFAULT_APP) as AppIdentity,
    powerPlatformManagementApp: true,
    subscribedSkus: [
      {
        id: `${TENANT_ID}_06ebc4ee-1bb5-47dd-8120-11324bc54e06`,
        skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06',
        skuPartNumber: 'SPE_E5',
        appliesTo: 'User',
        capabilityStatus: 'Enabled',
        consumedUnits: 19,
        prepaidUnits: { enabled: 25, suspended: 0, warning: 0, lockedOut: 0 },
        servicePlans: DEFAULT_SERVICE_PLANS.map((servicePlanName) => ({
          servicePlanId: nameGuid(servicePlanName),
          servicePlanName,
          provisioningStatus: 'Success',
          appliesTo: 'User',
        })),
      },
    ],
    identityServicePrincipals: [
      sp(SANDBOX_APP.servicePrincipalId, SANDBOX_APP.appId, SANDBOX_APP.displayName, TENANT_ID, { createdDateTime: created }),
      sp(GRAPH_SP_ID, GRAPH_APP_ID, 'Microsoft Graph', 'f8cdef31-a31e-4b4a-93e4-5f571e91255a'),
      messageTraceServicePrincipal(),
      sp(EXCHANGE_SP_ID, EXCHANGE_APP_ID, 'Office 365 Exchange Online', 'f8cdef31-a31e-4b4a-93e4-5f571e91255a'),
    ],
  };
}

/** The display name is illustrative; the documented fact is the app id. */
function messageTraceServicePrincipal() {
  return {
    data: {
      id: MESSAGE_TRACE_SP_ID,
      appId: MESSAGE_TRACE_APP_ID,
      displayName: 'Microsoft Exchange Message Trace',
      accountEnabled: true,
      appOwnerOrganizationId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a',
      servicePrincipalType: 'Application',
      replyUrls: [],
      tags: [],
    },
  };
}

/** The tenant settings as GET /sandbox/tenant shows them. */
export function tenantSettings(em: GraphEmulator): TenantSettings {
  const s = em.state;
  return {
    messageTraceServicePrincipal: s.servicePrincipals.some((p) => p.data.appId === MESSAGE_TRACE_APP_ID),
    powerPlatformManagementApp: s.powerPlatformManagementApp,
    servicePlans: s.subscribedSkus.flatMap((k) => k.servicePlans.map((p) => p.servicePlanName)),
  };
}

/** PUT /sandbox/tenant: change only the settings given. */
export function updateTenantSettings(em: GraphEmulator, input: unknown): TenantSettings {
  const t = tenantSettingsSchema.parse(input);
  const s = em.state;
  if (t.messageTraceServicePrincipal !== undefined) {
    s.servicePrincipals = s.servicePrincipals.filter((p) => p.data.appId !== MESSAGE_TRACE_APP_ID);
    if (t.messageTraceServicePrincipal) s.servicePrincipals.push(messageTraceServicePrincipal());
  }
  if (t.powerPlatformManagementApp !== undefined) s.powerPlatformManagementApp = t.powerPlatformManagementApp;
  if (t.servicePlans)
    for (const sku of s.subscribedSkus)
      sku.servicePlans = t.servicePlans.map((servicePlanName) => ({
        servicePlanId: nameGuid(servicePlanName),
        servicePlanName,
        provisioningStatus: 'Success',
        appliesTo: 'User',
      }));
  return tenantSettings(em);
}

/** True when the tenant's subscriptions carry one of these service plans. */
export function hasServicePlan(em: GraphEmulator, names: string[]): boolean {
  return em.state.subscribedSkus.some(
    (k) =>
      k.capabilityStatus === 'Enabled' &&
      k.servicePlans.some((p) => names.includes(p.servicePlanName) && p.provisioningStatus === 'Success'),
  );
}
