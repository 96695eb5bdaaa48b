/**
 * The exact fix for each thing Contain's app can lack, in one place: `contain doctor`, the containment card and the
 * step modules' explanations of Graph's refusals all say the same words.
 */

/** Built-in directory roles Contain asks for, with their template ids (the same in every tenant). */
export const DIRECTORY_ROLES = {
  'User Administrator': 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  'Cloud Device Administrator': '7698a772-787b-4ac8-901f-60d6b08affd2',
} as const;
/** Roles for optional features only: deployment does not assign them; doctor lists them as optional. */
export const OPTIONAL_DIRECTORY_ROLES = {
  'Exchange Administrator': '29232cdf-9323-42fd-ade2-1d097af3e4de',
} as const;
export type ContainRole = keyof typeof DIRECTORY_ROLES | keyof typeof OPTIONAL_DIRECTORY_ROLES;
const ROLE_TEMPLATE_IDS: Record<ContainRole, string> = { ...DIRECTORY_ROLES, ...OPTIONAL_DIRECTORY_ROLES };

/** The template id of a role Contain asks for. */
export const roleTemplateId = (role: ContainRole): string => ROLE_TEMPLATE_IDS[role];

/** Microsoft's message-trace application: its service principal must exist in the tenant. */
export const MESSAGE_TRACE_APP_ID = '8bd644d1-64a1-4d4b-ae52-2e0cbf64e373';

/** How to assign a directory role to Contain's app: who may, where in the portal, and the one Graph call. */
export function roleFix(role: ContainRole, servicePrincipalId = "<Contain's service principal object id>"): string {
  return (
    `Ask a Global Administrator (or Privileged Role Administrator) to assign it: Entra admin center > Roles & admins > ${role} > Add assignments > select Contain's app; ` +
    `or: az rest -m POST -u https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments -b '{"principalId":"${servicePrincipalId}","roleDefinitionId":"${roleTemplateId(role)}","directoryScopeId":"/"}'. ` +
    'Then run "contain doctor" again.'
  );
}

/** How to grant one Graph application permission (admin consent) to Contain's app. */
export function permissionFix(permission: string, servicePrincipalId = "<Contain's service principal object id>"): string {
  return (
    `Grant the Microsoft Graph application permission ${permission} with admin consent: Entra admin center > Enterprise applications > Contain > Permissions, ` +
    `or the appRoleAssignments command in docs/deploy.md step 2 with ROLE=${permission} and MI=${servicePrincipalId}. Then run "contain doctor" again.`
  );
}

export const MESSAGE_TRACE_FIX =
  `Provision Microsoft's message-trace service principal in the tenant (once, as an admin who may create service principals): ` +
  `Connect-MgGraph -Scopes Application.ReadWrite.All; New-MgServicePrincipal -AppId ${MESSAGE_TRACE_APP_ID} ` +
  `(or: az ad sp create --id ${MESSAGE_TRACE_APP_ID}). It can take a few hours to take effect.`;

/** Registering Contain's client id with the Power Platform admin API (step 6). */
export function powerPlatformFix(clientId = "<Contain's client id>"): string {
  return `Register Contain as a Power Platform management app (a Power Platform or Global Administrator): pac admin application register --application-id ${clientId}`;
}

/** True when Graph's answer is message trace's "the service principal is missing" 401, not a missing permission. */
export function isMissingMessageTracePrincipal(status: number | undefined, message: string | undefined): boolean {
  return status === 401 && /service principal-less authentication failed/i.test(message ?? '');
}

/** Office 365 Exchange Online's application id, and its Exchange.ManageAsApp app role (the same in every tenant). */
export const EXCHANGE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
export const EXCHANGE_MANAGE_AS_APP_ROLE_ID = 'dc50a0fb-09a3-484d-be87-e023b12c6440';

/**
 * What the Exchange admin API needs (https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2):
 * the Exchange.ManageAsApp application permission, and an Exchange role for the app's service principal.
 */
export function exchangeAppFix(servicePrincipalId = "<Contain's service principal object id>"): string {
  return (
    'Grant the application permission Office 365 Exchange Online > Exchange.ManageAsApp with admin consent ' +
    `(az rest -m POST -u https://graph.microsoft.com/v1.0/servicePrincipals/${servicePrincipalId}/appRoleAssignments -b '{"principalId":"${servicePrincipalId}","resourceId":"<id of the Office 365 Exchange Online service principal, app id ${EXCHANGE_APP_ID}>","appRoleId":"${EXCHANGE_MANAGE_AS_APP_ROLE_ID}"}'), ` +
    'and give the app an Exchange role: the Exchange Administrator Entra role (Roles & admins > Exchange Administrator > Add assignments), ' +
    'or, least privileged, a custom Exchange role group holding the Mail Recipients and View-Only Configuration roles with the app as member ' +
    '(New-ServicePrincipal -AppId <client id> -ObjectId <service principal object id>; Add-RoleGroupMember -Identity "<role group>" -Member <client id>). Then run "contain doctor" again.'
  );
}
