/**
 * Who may run which cmdlet through the sandbox's Exchange admin API, as Exchange Online decides it for an app-only
 * caller (https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2): the token must carry the
 * Exchange.ManageAsApp application role; then RBAC combines the Entra roles Exchange supports for apps (each maps
 * to a built-in role group) with the management roles of custom role groups the app's service principal is in.
 *
 * Which management role grants which cmdlet: Microsoft documents it per tenant (Get-ManagementRole -Cmdlet), not in
 * a table; these rows follow the most-cited public evidence (Microsoft365DSC's per-resource role lists, the cmdlet
 * pages' notes) and err strict: Get-InboxRule "doesn't work for members of View-Only Organization Management role
 * group in Exchange Online or the Global Reader role" (Get-InboxRule page).
 */
import type { AppIdentity } from '../graph/app-identity';

export const EXCHANGE_PERMISSION = 'Exchange.ManageAsApp';

/** Management roles the sandbox knows; custom role groups in /sandbox/app hold a subset of these. */
export const MANAGEMENT_ROLES = [
  'Mail Recipients',
  'View-Only Recipients',
  'View-Only Configuration',
  'Audit Logs',
  'View-Only Audit Logs',
  'Reset Password',
  'User Options',
] as const;
type ManagementRole = (typeof MANAGEMENT_ROLES)[number];

/** The Entra roles app-only Exchange access supports, and the built-in role group each stands for (its roles). */
const SUPPORTED_ENTRA_ROLES: Record<string, readonly ManagementRole[]> = {
  'Global Administrator': MANAGEMENT_ROLES,
  'Exchange Administrator': MANAGEMENT_ROLES, // Organization Management
  'Exchange Recipient Administrator': ['Mail Recipients', 'View-Only Recipients', 'Reset Password'], // Recipient Management
  'Compliance Administrator': ['View-Only Recipients', 'View-Only Configuration', 'Audit Logs', 'View-Only Audit Logs'],
  'Security Administrator': ['View-Only Recipients', 'View-Only Configuration', 'View-Only Audit Logs'],
  'Security Reader': ['View-Only Recipients', 'View-Only Configuration', 'View-Only Audit Logs'],
  'Global Reader': ['View-Only Recipients', 'View-Only Configuration', 'View-Only Audit Logs'], // View-Only Organization Management
  'Helpdesk Administrator': ['View-Only Recipients', 'View-Only Configuration', 'Reset Password', 'User Options'], // Help Desk
};

/** Any one of these roles lets the caller run the cmdlet. */
export const CMDLET_ROLES: Record<string, readonly ManagementRole[]> = {
  'Get-Mailbox': ['Mail Recipients', 'View-Only Recipients'],
  'Set-Mailbox': ['Mail Recipients'],
  'Get-InboxRule': ['Mail Recipients'],
  'Disable-InboxRule': ['Mail Recipients'],
  'Enable-InboxRule': ['Mail Recipients'],
  'Get-MailboxAuditBypassAssociation': ['View-Only Configuration', 'Audit Logs'],
};

export type Refusal = { status: 401; code: string; message: string };

/**
 * Why the app may not run `cmdlet` (or anything, when none is given), or undefined when it may. The three refusals are the ones public reports show:
 * no Exchange.ManageAsApp in the token (401; body not public), no supported role ("The role assigned to application
 * ... isn't supported in this scenario", as Connect-ExchangeOnline reports it; HTTP status unverified), and a role
 * without the cmdlet (401 "User is not allowed to call Get-Mailbox", MicrosoftDocs/office-docs-powershell#7970).
 */
export function refusalFor(app: AppIdentity, appId: string, cmdlet?: string): Refusal | undefined {
  if (!app.exchange?.permissions.includes(EXCHANGE_PERMISSION))
    return { status: 401, code: 'Unauthorized', message: 'The access token does not carry the Exchange.ManageAsApp application role.' };
  const held = new Set<string>([...app.exchange.managementRoles, ...app.directoryRoles.flatMap((r) => SUPPORTED_ENTRA_ROLES[r] ?? [])]);
  if (!held.size)
    return {
      status: 401,
      code: 'Unauthorized',
      message: `The role assigned to application ${appId} isn't supported in this scenario. Please check online documentation for assigning correct Directory Roles to Azure AD Application for EXO App-Only Authentication.`,
    };
  if (
    cmdlet !== undefined &&
    !((Object.hasOwn(CMDLET_ROLES, cmdlet) ? CMDLET_ROLES[cmdlet] : []) as readonly string[]).some((r) => held.has(r))
  )
    return { status: 401, code: 'Unauthorized', message: `User is not allowed to call ${cmdlet}` };
  return undefined;
}
