/**
 * What each emulated Graph route needs from the calling app, from Microsoft's permission tables (least and higher
 * privileged application permissions are both accepted) and the documented directory-role requirements, and how
 * Graph refuses when they are missing. Keyed by "METHOD pattern" exactly as the route is registered with `em.on`.
 * L = https://learn.microsoft.com/graph/api/ (the doc each rule comes from; test/conformance cites them too).
 */
import { z } from 'zod';
import { GraphHttpError, type Call, type GraphEmulator } from './emulator';
import { DEFAULT_APP, ROLE_TEMPLATES } from './app-identity';
import { EXCHANGE_PERMISSION, MANAGEMENT_ROLES } from '../exchange/rbac';
import type { RouteRule } from './app-rules-common';
import { PLAYBOOK_RULES } from './app-rules-playbook';
import { TENANT_RULES } from './app-rules-tenant';

export { L, type RouteRule } from './app-rules-common';

/** Every route's rule, keyed by "METHOD pattern". */
export const RULES: Record<string, RouteRule> = { ...PLAYBOOK_RULES, ...TENANT_RULES };

/** Every application permission the rules mention: the Microsoft Graph service principal's appRoles in the sandbox. */
export const GRAPH_PERMISSIONS: string[] = [
  ...new Set([...DEFAULT_APP.permissions, ...Object.values(RULES).flatMap((r) => r.permissions.flat())]),
].sort();

/** The body of PUT /sandbox/app: known permission and role names only, so a typo is an error, not a silent denial. */
export const appIdentitySchema = z.object({
  permissions: z.array(z.enum(GRAPH_PERMISSIONS as [string, ...string[]])).max(100),
  directoryRoles: z.array(z.enum(Object.keys(ROLE_TEMPLATES) as [string, ...string[]])).max(20),
  /** The Exchange admin API's rights (sandbox/exchange/rbac.ts); absent = none. */
  exchange: z
    .object({ permissions: z.array(z.literal(EXCHANGE_PERMISSION)).max(1), managementRoles: z.array(z.enum(MANAGEMENT_ROLES)).max(20) })
    .strict()
    .optional(),
});

/** Graph's refusal bodies differ by workload: the code and message a client sees for "the app may not do this". */
const REFUSALS: Record<NonNullable<RouteRule['workload']>, (missing: string) => GraphHttpError> = {
  directory: () => new GraphHttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  outlook: () => new GraphHttpError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
  reports: (missing) =>
    new GraphHttpError(
      403,
      'Authentication_MSGraphPermissionMissing',
      `Calling principal does not have required MSGraph permissions ${missing}`,
    ),
  // Undocumented: the security and Exchange admin APIs' bodies for a missing permission were not found in public sources.
  security: () => new GraphHttpError(403, 'Forbidden', 'Missing application permissions for this request.'),
};

/** Throw Graph's refusal when Contain's app lacks what the route documents it needs; `key` is "METHOD pattern". */
export function checkAppIdentity(em: GraphEmulator, call: Call, key: string, m: RegExpExecArray): void {
  const rule = RULES[key];
  // Every route must declare its needs (a conformance test lists them all): an undeclared one is a sandbox defect.
  if (!rule) throw new Error(`No authorization rule for ${key}`);
  const held = new Set(em.state.app.permissions);
  const table = rule.forBody?.(call) ?? rule.permissions;
  if (!table.some((set) => set.every((p) => held.has(p)))) throw REFUSALS[rule.workload ?? 'directory'](table[0]?.join(' and ') ?? '');
  const roles = rule.roles?.(call, m, em);
  if (roles && !roles.some((r) => em.state.app.directoryRoles.includes(r))) throw REFUSALS.directory('');
  rule.precondition?.(em);
}
