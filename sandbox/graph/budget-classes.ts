/**
 * Which of the published throttling budgets (sandbox/graph/budget-table.ts) a Graph request counts against, and how
 * much: the service families by path, and identity's resource units per request kind.
 */
export interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  mailbox?: string;
}

export const WRITE = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
/** Mailbox resources of the Outlook service under /users/{id}/ (mail, folders, rules, calendar, contacts...). */
export const OUTLOOK =
  /^\/users\/([^/]+)\/(messages|mailFolders|mailboxSettings|events|calendar|calendars|calendarView|calendarGroups|contacts|contactFolders|inferenceClassification|outlook|people)(\/|$)/i;
/** Identity and access reports: sign-ins, directory audits, provisioning, authentication-method reports. */
export const REPORTS =
  /^\/(auditLogs\/(signIns|directoryAudits|provisioning)|reports\/(authenticationMethods|credentialUserRegistrationDetails|userCredentialUsageDetails|getCredentialUsageSummary|getCredentialUserRegistrationCount|getAzureADApplicationSignInSummary|applicationSignInDetailedSummary|getRelyingPartyDetailedSummary))(\/|$|\()/i;
// "Security detections and incidents service limits ... apply to any request on /security": alert 150 per minute.
export const SECURITY_DETECTIONS =
  /^\/security\/(alerts|alerts_v2|incidents|securityActions|secureScores|secureScoreControlProfiles)(\/|$)/i;
export const PROTECTION_CA =
  /^\/(identity\/conditionalAccess|identityProtection|riskyUsers|riskDetections|riskyServicePrincipals|servicePrincipalRiskDetections)(\/|$)/i;
// Entries addressed by alternate key (servicePrincipals(appId='...')) are the same resources.
export const DIRECTORY =
  /^\/(users|groups|applications|servicePrincipals|devices|directoryObjects|directoryRoles|directoryRoleTemplates|domains|organization|contracts|subscribedSkus|oauth2PermissionGrants|policies|getObjectsById|administrativeUnits|orgContacts|groupSettings|groupSettingTemplates|roleManagement)(\/|$|\()/i;

export const isDirectory = (r: Req) => DIRECTORY.test(r.path) && !OUTLOOK.test(r.path) && !PROTECTION_CA.test(r.path);
export const isDevice = (r: Req) => /^\/devices(\/|$)/i.test(r.path);

/** Base resource-unit cost by the documented table; "me/" costs apply to "users/{id}/" too. Any other path costs 1. */
const RU_TABLE: [string, RegExp, number][] = [
  ['GET', /^\/applications$/i, 2],
  ['GET', /^\/applications\/[^/]+\/extensionProperties$/i, 2],
  ['GET', /^\/contracts$/i, 3],
  ['POST', /^\/directoryObjects\/getByIds$/i, 5],
  ['GET', /^\/domains\/[^/]+\/domainNameReferences$/i, 4],
  ['POST', /^\/getObjectsById$/i, 5],
  ['GET', /^\/groups\/[^/]+\/members(\/|$)/i, 3],
  ['GET', /^\/groups\/[^/]+\/transitiveMembers(\/|$)/i, 5],
  ['POST', /^\/(users\/[^/]+\/|groups\/[^/]+\/)?isMemberOf$/i, 4],
  ['POST', /^\/users\/[^/]+\/checkMemberGroups$/i, 4],
  ['POST', /^\/users\/[^/]+\/checkMemberObjects$/i, 4],
  ['POST', /^\/users\/[^/]+\/getMemberGroups$/i, 2],
  ['POST', /^\/users\/[^/]+\/getMemberObjects$/i, 2],
  ['GET', /^\/users\/[^/]+\/licenseDetails$/i, 2],
  ['GET', /^\/users\/[^/]+\/memberOf(\/|$)/i, 2],
  ['GET', /^\/users\/[^/]+\/ownedObjects(\/|$)/i, 2],
  ['GET', /^\/users\/[^/]+\/transitiveMemberOf(\/|$)/i, 2],
  ['GET', /^\/oauth2PermissionGrants(\/[^/]+)?$/i, 2],
  ['GET', /^\/servicePrincipals\/[^/]+\/appRoleAssignments$/i, 2],
  ['GET', /^\/subscribedSkus$/i, 3],
  ['GET', /^\/users$/i, 2],
];
/** Table entries with a POST read (getByIds, checkMemberObjects...) write nothing. */
const READ_POSTS = RU_TABLE.filter(([m]) => m === 'POST').map(([, re]) => re);

export function resourceUnits(r: Req): number {
  const row = RU_TABLE.find(([m, re]) => m === r.method && re.test(r.path));
  let cost = row ? row[2] : 1;
  if (r.query.has('$select')) cost -= 1;
  if (r.query.has('$expand')) cost += 1;
  const top = Number(r.query.get('$top'));
  if (r.query.has('$top') && top < 20) cost -= 1;
  return Math.max(1, cost);
}
export const writes = (r: Req) => (isDirectory(r) && WRITE.has(r.method) && !READ_POSTS.some((re) => re.test(r.path)) ? 1 : 0);
