/**
 * The demo tenant: Alice Aoki's AiTM incident (reference/playbook.md) plus bystanders whose names collide on
 * prefixes, an apostrophe name, a synced user, the people who run Contain, and a protected break-glass account.
 * Times are relative to the moment of seeding so that "the last 7 days" always contains the attack.
 */
import { seedObjects } from './seed-objects';
import { iso } from './seed-shapes';
import { seedSignIns, type SeedSignIn } from './seed-signins';
export { fromAttacker, OFFICE_HOME, signInRow, type SeedSignIn, type SignInFields } from './seed-signins';
import { seedUal, type SeedUalRecord } from './seed-ual';
import { seedIdentity } from './app-identity';
import { seedAlerts } from './seed-alerts';
export { ATTACKER, DOMAIN, GLOBAL_ADMIN_TEMPLATE, SEED_IDS, TENANT_ID } from './ids';
import { DOMAIN, GLOBAL_ADMIN_TEMPLATE, SEED_IDS } from './ids';

export interface SeedUser {
  id: string;
  displayName: string;
  givenName: string;
  surname: string;
  userPrincipalName: string;
  mail: string;
  jobTitle: string | null;
  department: string | null;
  accountEnabled: boolean;
  onPremisesSyncEnabled: boolean | null;
  signInSessionsValidFromDateTime: string;
  lastPasswordChangeDateTime: string;
  createdDateTime: string;
  usageLocation: string;
  businessPhones: string[];
  mobilePhone: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
}

export interface SeedGroup {
  id: string;
  displayName: string;
  /** User ids and nested group ids. */
  members: string[];
  kind: 'group' | 'directoryRole';
  roleTemplateId?: string;
}

/** An Audit Log Query API query the sandbox is "running". */
export interface SandboxAuditQuery {
  data: Record<string, unknown> & { id: string; filterStartDateTime: string; filterEndDateTime: string };
  createdAt: number;
}

export interface TenantData
  extends
    ReturnType<typeof seedObjects>,
    Omit<ReturnType<typeof seedIdentity>, 'identityServicePrincipals'>,
    ReturnType<typeof seedAlerts> {
  users: SeedUser[];
  signIns: SeedSignIn[];
  groups: SeedGroup[];
  ual: SeedUalRecord[];
  auditQueries: SandboxAuditQuery[];
}

export function user(id: string, given: string, surname: string, local: string, extra: Partial<SeedUser> = {}, now = Date.now()): SeedUser {
  return {
    id,
    displayName: `${given} ${surname}`,
    givenName: given,
    surname,
    userPrincipalName: `${local}@${DOMAIN}`,
    mail: `${local}@${DOMAIN}`,
    jobTitle: null,
    department: null,
    accountEnabled: true,
    onPremisesSyncEnabled: null,
    signInSessionsValidFromDateTime: iso(now, 24 * 200),
    lastPasswordChangeDateTime: iso(now, 24 * 90),
    createdDateTime: iso(now, 24 * 400),
    usageLocation: 'JP',
    businessPhones: [],
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    ...extra,
  };
}

/** A fresh copy of the demo tenant, with times counted back from `now`. */
export function seedTenant(now: number = Date.now()): TenantData {
  const u = (id: string, g: string, s: string, l: string, e: Partial<SeedUser> = {}) => user(id, g, s, l, e, now);
  const users: SeedUser[] = [
    u(SEED_IDS.alice, 'Alice', 'Aoki', 'alice.aoki', { jobTitle: 'Sales coordinator', department: 'Sales', officeLocation: 'Tokyo' }),
    u(SEED_IDS.alicia, 'Alicia', 'Alvarez', 'alicia.alvarez', {
      jobTitle: 'Marketing manager',
      department: 'Marketing',
      usageLocation: 'ES',
    }),
    u(SEED_IDS.alistair, 'Alistair', 'Allen', 'alistair.allen', {
      jobTitle: 'Account executive',
      department: 'Sales',
      usageLocation: 'GB',
    }),
    u(SEED_IDS.danObrien, 'Dan', "O'Brien", 'dan.obrien', {
      mail: `dan.o'brien@${DOMAIN}`,
      jobTitle: 'Buyer',
      department: 'Procurement',
      usageLocation: 'IE',
    }),
    u(SEED_IDS.bob, 'Bob', 'Brown', 'bob.brown', { jobTitle: 'Sales representative', department: 'Sales' }),
    u(SEED_IDS.carol, 'Carol', 'Chen', 'carol.chen', { jobTitle: 'Controller', department: 'Finance' }),
    u(SEED_IDS.erin, 'Erin', 'Evans', 'erin.evans', { jobTitle: 'Sales representative', department: 'Sales' }),
    u(SEED_IDS.frank, 'Frank', 'Fischer', 'frank.fischer', { jobTitle: 'Engineer', department: 'R&D', usageLocation: 'DE' }),
    u(SEED_IDS.grace, 'Grace', 'Gómez', 'grace.gomez', { jobTitle: 'Recruiter', department: 'HR', usageLocation: 'MX' }),
    u(SEED_IDS.heidi, 'Heidi', 'Hansen', 'heidi.hansen', {
      jobTitle: 'Accountant',
      department: 'Finance',
      onPremisesSyncEnabled: true,
      usageLocation: 'NO',
    }),
    u(SEED_IDS.ivan, 'Ivan', 'Ivanov', 'ivan.ivanov', { jobTitle: 'Support engineer', department: 'Support' }),
    u(SEED_IDS.judy, 'Judy', 'Jones', 'judy.jones', { jobTitle: 'Office manager', department: 'Operations' }),
    u(SEED_IDS.riley, 'Riley', 'Rivera', 'riley.rivera', { jobTitle: 'SOC analyst', department: 'Security' }),
    u(SEED_IDS.avery, 'Avery', 'Adams', 'avery.adams', { jobTitle: 'SOC lead', department: 'Security' }),
    u(SEED_IDS.parker, 'Parker', 'Patel', 'parker.patel', { jobTitle: 'Security engineer', department: 'Security' }),
    u(SEED_IDS.quinn, 'Quinn', 'Quigley', 'quinn.quigley', { jobTitle: 'CISO', department: 'Security' }),
    u(SEED_IDS.sam, 'Sam', 'Sato', 'sam.sato', { jobTitle: 'Intern', department: 'Sales' }),
    u(SEED_IDS.breakGlass, 'Break Glass', 'Emergency', 'breakglass', { displayName: 'Break Glass (emergency access)', jobTitle: null }),
    u(SEED_IDS.galeAdmin, 'Gale', 'Admin', 'gale.admin', { jobTitle: 'IT administrator', department: 'IT' }),
  ];
  const groups: SeedGroup[] = [
    { id: SEED_IDS.socApprovers, displayName: 'SOC Approvers', members: [SEED_IDS.avery, SEED_IDS.parker, SEED_IDS.quinn], kind: 'group' },
    { id: SEED_IDS.securityTeam, displayName: 'Security Team', members: [SEED_IDS.riley, SEED_IDS.socApprovers], kind: 'group' },
    {
      id: SEED_IDS.globalAdminRole,
      displayName: 'Global Administrator',
      members: [SEED_IDS.galeAdmin, SEED_IDS.breakGlass],
      kind: 'directoryRole',
      roleTemplateId: GLOBAL_ADMIN_TEMPLATE,
    },
  ];

  const signIns = seedSignIns(now, users);
  const objects = seedObjects(now);
  // Contain's own app, Microsoft Graph and the message-trace app are service principals of the tenant too.
  const { identityServicePrincipals, ...identity } = seedIdentity(now);
  objects.servicePrincipals.push(...identityServicePrincipals);
  return { users, signIns, groups, ...objects, ...identity, ...seedAlerts(now, users), ual: seedUal(now), auditQueries: [] };
}
