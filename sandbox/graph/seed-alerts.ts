/**
 * The sandbox tenant's alert sources: Entra ID Protection risky users and Defender XDR alerts grouped in incidents,
 * in the shapes of Graph v1.0 (riskyUser: https://learn.microsoft.com/graph/api/resources/riskyuser; security alert
 * and incident: https://learn.microsoft.com/graph/api/resources/security-alert, .../security-incident). The seed holds
 * what a quiet tenant shows (a medium-risk user, a benign mail alert); POST /sandbox/alerts adds more.
 */
import { z } from 'zod';
import type { GraphEmulator } from './emulator';
import { SEED_IDS, TENANT_ID } from './ids';

export interface RiskyUserRow {
  id: string;
  isDeleted: boolean;
  isProcessing: boolean;
  riskLastUpdatedDateTime: string;
  riskLevel: 'low' | 'medium' | 'high' | 'hidden' | 'none';
  riskState: 'none' | 'confirmedSafe' | 'remediated' | 'dismissed' | 'atRisk' | 'confirmedCompromised';
  riskDetail: string;
  userDisplayName: string;
  userPrincipalName: string;
}

/** A security incident and, apart from its Graph shape, the alerts it groups ($expand=alerts). */
export interface IncidentRow {
  data: Record<string, unknown> & { id: string };
  alertIds: string[];
}

export const SEVERITIES = ['informational', 'low', 'medium', 'high'] as const;
const SERVICE_SOURCES = [
  'microsoftDefenderForEndpoint',
  'microsoftDefenderForIdentity',
  'microsoftDefenderForCloudApps',
  'microsoftDefenderForOffice365',
  'microsoft365Defender',
  'azureAdIdentityProtection',
  'microsoftAppGovernance',
  'dataLossPrevention',
] as const;

/**
 * What the sandbox fills in for a few well-known alert titles when POST /sandbox/alerts does not say (the product that
 * raises each, its MITRE tactic and technique). Anything else comes from Defender XDR itself.
 */
const CATALOGUE: Record<string, { serviceSource: string; detectionSource: string; category: string; mitreTechniques: string[] }> = {
  'possible aitm phishing attempt': {
    serviceSource: 'microsoft365Defender',
    detectionSource: 'microsoft365Defender',
    category: 'InitialAccess',
    mitreTechniques: ['T1557'],
  },
  'stolen session cookie was used': {
    serviceSource: 'microsoftDefenderForCloudApps',
    detectionSource: 'cloudAppSecurity',
    category: 'CredentialAccess',
    mitreTechniques: ['T1539'],
  },
  'bec financial fraud': {
    serviceSource: 'microsoft365Defender',
    detectionSource: 'microsoft365Defender',
    category: 'Collection',
    mitreTechniques: ['T1114'],
  },
  'suspicious inbox manipulation rule': {
    serviceSource: 'microsoftDefenderForCloudApps',
    detectionSource: 'cloudAppSecurity',
    category: 'DefenseEvasion',
    mitreTechniques: ['T1564.008'],
  },
  'suspicious inbox forwarding': {
    serviceSource: 'microsoftDefenderForCloudApps',
    detectionSource: 'cloudAppSecurity',
    category: 'Exfiltration',
    mitreTechniques: ['T1114.003'],
  },
  'anomalous token': {
    serviceSource: 'azureAdIdentityProtection',
    detectionSource: 'azureAdIdentityProtection',
    category: 'CredentialAccess',
    mitreTechniques: ['T1528'],
  },
  'password spray': {
    serviceSource: 'azureAdIdentityProtection',
    detectionSource: 'azureAdIdentityProtection',
    category: 'CredentialAccess',
    mitreTechniques: ['T1110.003'],
  },
  'email messages containing malicious url removed after delivery': {
    serviceSource: 'microsoftDefenderForOffice365',
    detectionSource: 'microsoftDefenderForOffice365',
    category: 'InitialAccess',
    mitreTechniques: ['T1566.002'],
  },
  'activity from infrequent country': {
    serviceSource: 'microsoftDefenderForCloudApps',
    detectionSource: 'cloudAppSecurity',
    category: 'InitialAccess',
    mitreTechniques: ['T1078'],
  },
};

/** POST /sandbox/alerts: a risky user (Identity Protection) or an alert with the user as evidence (Defender XDR). */
export const sandboxAlertSchema = z
  .object({
    userId: z.string().min(1).max(200),
    source: z.enum(['identityProtection', 'defender']),
    severity: z.enum(SEVERITIES).default('high'),
    title: z.string().min(1).max(256).optional(),
    category: z.string().min(1).max(60).optional(),
    serviceSource: z.enum(SERVICE_SOURCES).optional(),
    detectionSource: z.string().min(1).max(60).optional(),
    status: z.enum(['new', 'inProgress', 'resolved']).optional(),
    classification: z.enum(['unknown', 'falsePositive', 'truePositive', 'informationalExpectedActivity']).optional(),
    determination: z.string().min(1).max(60).optional(),
  })
  .strict()
  .refine((a) => a.source === 'identityProtection' || a.title !== undefined, { message: 'a Defender alert needs a title', path: ['title'] })
  .refine((a) => a.source === 'defender' || a.severity !== 'informational', {
    message: "a risky user's riskLevel is low, medium or high",
    path: ['severity'],
  });

export type SandboxAlertInput = z.input<typeof sandboxAlertSchema>;

const iso = (t: number) => new Date(t).toISOString();

/** A fresh tenant's alert sources: Erin is a medium-risk user (not enough to act on) and Defender removed the phishing mail. */
export function seedAlerts(now: number, users: { id: string; displayName: string; userPrincipalName: string }[]) {
  const erin = users.find((u) => u.id === SEED_IDS.erin)!;
  const riskyUsers: RiskyUserRow[] = [riskyUser(erin, 'medium', iso(now - 49 * 3_600_000))];
  const securityAlerts: Record<string, unknown>[] = [];
  const securityIncidents: IncidentRow[] = [];
  const recipients = users.filter((u) => ([SEED_IDS.alice, SEED_IDS.bob, SEED_IDS.carol, SEED_IDS.erin] as string[]).includes(u.id));
  addDefenderAlert({ securityAlerts, securityIncidents }, now - 50 * 3_600_000, recipients, {
    title: 'Email messages containing malicious URL removed after delivery',
    severity: 'informational',
    status: 'resolved',
    classification: 'truePositive',
    determination: 'phishing',
  });
  return { riskyUsers, securityAlerts, securityIncidents };
}

function riskyUser(
  u: { id: string; displayName: string; userPrincipalName: string },
  level: RiskyUserRow['riskLevel'],
  at: string,
): RiskyUserRow {
  return {
    id: u.id,
    isDeleted: false,
    isProcessing: false,
    riskLastUpdatedDateTime: at,
    riskLevel: level,
    riskState: 'atRisk',
    riskDetail: 'none',
    userDisplayName: u.displayName,
    userPrincipalName: u.userPrincipalName,
  };
}

type AlertStore = { securityAlerts: Record<string, unknown>[]; securityIncidents: IncidentRow[] };
type AlertFields = Omit<z.output<typeof sandboxAlertSchema>, 'userId' | 'source'> & { title: string };

/** One Defender XDR alert about `users` (user evidence each), in a new incident of its own. */
function addDefenderAlert(
  s: AlertStore,
  at: number,
  users: { id: string; displayName: string; userPrincipalName: string }[],
  f: AlertFields,
) {
  const n = s.securityAlerts.length + 1;
  const id = `da${638_400_000_000_000_000 + n}_${-(1_000_000_000 + n)}`;
  const incidentId = String(1000 + s.securityIncidents.length + 1);
  const known = CATALOGUE[f.title.toLowerCase()] ?? {
    serviceSource: 'microsoft365Defender',
    detectionSource: 'microsoft365Defender',
    category: 'SuspiciousActivity',
    mitreTechniques: [],
  };
  const when = iso(at);
  const alert = {
    '@odata.type': '#microsoft.graph.security.alert',
    id,
    providerAlertId: id,
    incidentId,
    status: f.status ?? 'new',
    severity: f.severity,
    classification: f.classification ?? 'unknown',
    determination: f.determination ?? 'unknown',
    serviceSource: f.serviceSource ?? known.serviceSource,
    detectionSource: f.detectionSource ?? known.detectionSource,
    detectorId: `0e5c0000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    tenantId: TENANT_ID,
    title: f.title,
    description: `${f.title}.`,
    recommendedActions: '',
    category: f.category ?? known.category,
    assignedTo: null,
    alertWebUrl: `https://security.microsoft.com/alerts/${id}?tid=${TENANT_ID}`,
    incidentWebUrl: `https://security.microsoft.com/incidents/${incidentId}?tid=${TENANT_ID}`,
    actorDisplayName: null,
    threatDisplayName: null,
    threatFamilyName: null,
    mitreTechniques: known.mitreTechniques,
    createdDateTime: when,
    lastUpdateDateTime: when,
    resolvedDateTime: f.status === 'resolved' ? when : null,
    firstActivityDateTime: when,
    lastActivityDateTime: when,
    comments: [],
    evidence: users.map((u) => ({
      '@odata.type': '#microsoft.graph.security.userEvidence',
      createdDateTime: when,
      verdict: 'suspicious',
      remediationStatus: 'none',
      remediationStatusDetails: null,
      roles: ['compromised'],
      detailedRoles: [],
      tags: [],
      userAccount: {
        accountName: u.userPrincipalName.split('@')[0],
        azureAdUserId: u.id,
        displayName: u.displayName,
        domainName: u.userPrincipalName.split('@')[1],
        userPrincipalName: u.userPrincipalName,
        userSid: null,
      },
    })),
    systemTags: [],
  };
  const incident: IncidentRow = {
    alertIds: [id],
    data: {
      '@odata.type': '#microsoft.graph.security.incident',
      id: incidentId,
      incidentWebUrl: alert.incidentWebUrl,
      redirectIncidentId: null,
      tenantId: TENANT_ID,
      displayName: `${f.title} involving ${users.length === 1 ? 'one user' : `${users.length} users`}`,
      createdDateTime: when,
      lastUpdateDateTime: when,
      assignedTo: null,
      classification: alert.classification,
      determination: alert.determination,
      status: f.status === 'resolved' ? 'resolved' : 'active',
      severity: f.severity,
      customTags: [],
      comments: [],
      systemTags: [],
      description: alert.description,
    },
  };
  s.securityAlerts.push(alert);
  s.securityIncidents.push(incident);
  return { alert, incident: incident.data };
}

/** POST /sandbox/alerts: throws on a bad body or an unknown user (the caller's 400). */
export function addSandboxAlert(em: GraphEmulator, input: unknown) {
  const a = sandboxAlertSchema.parse(input);
  const u = em.user(a.userId);
  const now = em.clock();
  if (a.source === 'defender') return addDefenderAlert(em.state, now, [u], { ...a, title: a.title! });
  const level = a.severity as RiskyUserRow['riskLevel'];
  const existing = em.state.riskyUsers.find((r) => r.id === u.id);
  const row = riskyUser(u, level, iso(now));
  if (existing) Object.assign(existing, row);
  else em.state.riskyUsers.push(row);
  return { riskyUser: existing ?? row };
}
