/**
 * Shared pieces of the per-route authorization rules (app-rules.ts): the rule's shape, the documentation base URL,
 * the permission tables several routes share, and the checks rules run against the emulator's state.
 */
import { GraphHttpError, type Call, type GraphEmulator } from './emulator';
import { hasServicePlan } from './app-identity';

export const L = 'https://learn.microsoft.com/graph/api/';

export interface RouteRule {
  /** The documentation page the rule comes from. */
  doc: string;
  /** Application permissions: any one set (all of its members held) grants access. Empty = app-only not supported. */
  permissions: string[][];
  /** A narrower table for this request when the docs make it depend on the body (passwordProfile, accountEnabled). */
  forBody?: (c: Call) => string[][] | undefined;
  /** Directory roles of which the app must hold one, when the docs require a role for this request. */
  roles?: (c: Call, m: RegExpExecArray, em: GraphEmulator) => string[] | undefined;
  /** A tenant prerequisite or licence, checked once the app's rights are in order; throws Graph's refusal. */
  precondition?: (em: GraphEmulator) => void;
  /** Whose refusal body a missing permission gets (Graph's workloads answer differently). */
  workload?: 'directory' | 'outlook' | 'reports' | 'security';
}

export const any = (...names: string[]) => names.map((n) => [n]);
export const USER_READ = any('User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All');
export const APP_READ = any('Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All');
// Application.ReadWrite.OwnedBy also appears in the application and service principal tables, but only for objects the
// caller owns; Contain owns none of the apps it contains, so the sandbox does not accept it for them.
export const APP_WRITE = any('Application.ReadWrite.All');
export const METHODS_READ = any('UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All');
export const RULES_READ = any('MailboxSettings.Read', 'MailboxSettings.ReadWrite');
export const FOLDERS_READ = any('Mail.ReadBasic.All', 'Mail.Read', 'Mail.ReadWrite');
export const GRANTS_READ = any(
  'DelegatedPermissionGrant.Read.All',
  'Directory.Read.All',
  'DelegatedPermissionGrant.ReadWrite.All',
  'Directory.ReadWrite.All',
);
export const AUDIT_QUERY = any(
  'AuditLogsQuery.Read.All',
  'AuditLogsQuery-Exchange.Read.All',
  'AuditLogsQuery-SharePoint.Read.All',
  'AuditLogsQuery-OneDrive.Read.All',
  'AuditLogsQuery-Entra.Read.All',
  'AuditLogsQuery-Endpoint.Read.All',
  'AuditLogsQuery-CRM.Read.All',
);
export const PASSWORD = any('User-PasswordProfile.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All');
export const ENABLE = any('User.EnableDisableAccount.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All');
export const USER_WRITE = any('User.ReadWrite.All', 'Directory.ReadWrite.All');
export const CA_WRITE = [
  ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess', 'Application.Read.All'],
  ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess', 'Application.ReadWrite.All'],
];

/** True when the user holds a directory (admin) role: their password then needs a stronger role than User Administrator. */
export function holdsAdminRole(em: GraphEmulator, idOrUpn: string): boolean {
  const u = em.user(idOrUpn);
  return em.state.groups.some((g) => g.kind === 'directoryRole' && g.members.includes(u.id));
}

export const body = (c: Call) => (c.body ?? {}) as Record<string, unknown>;

/** Entra ID P2 (service plan AAD_PREMIUM_P2) for Identity Protection's riskyUsers. */
export function needsP2(em: GraphEmulator): void {
  if (!hasServicePlan(em, ['AAD_PREMIUM_P2'])) throw new GraphHttpError(403, 'Forbidden', 'Your tenant is not licensed for this feature.');
}
