/**
 * The writes the defensive measures need: Conditional Access policies (create, read, update, delete), the
 * authorization policy's update, security groups for pilots and exclusions (create with members, add members, read,
 * delete), and directory roles by object id (to resolve protected roles to template ids). Shapes and rules from the
 * v1.0 pages (L = https://learn.microsoft.com/graph/api/), cited again in test/conformance/posture-policies.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isGuid } from '../../src/ids';
import { GraphHttpError, json, type GraphEmulator } from './emulator';
import { notFound, odataContext } from './http';
import type { SeedGroup } from './seed';
import { normalizePolicy, validatePolicy } from './ca-validate';

const badRequest = (message: string) => new GraphHttpError(400, 'Request_BadRequest', message);

/** A group Contain created: the seed's shape plus the properties POST /groups sets. */
export type CreatedGroup = SeedGroup & {
  description: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  createdDateTime: string;
  owners: string[];
};

/** Permission grant policies every tenant has (L/resources/permissiongrantpolicy); tenant-defined ones are not emulated. */
const GRANT_POLICIES =
  /^(ManagePermissionGrantsForSelf\.microsoft-user-default-(legacy|low|recommended)|ManagePermissionGrantsForOwnedResource\.microsoft-(dynamically-managed-permissions-for-team|dynamically-managed-permissions-for-chat|pre-approval-apps-for-group|pre-approval-apps-for-chat|all-application-permissions-for-group))$/;

/** L/api/authorizationpolicy-update: the writable properties, their types and enums. */
const authorizationUpdate = z
  .object({
    allowEmailVerifiedUsersToJoinOrganization: z.boolean(),
    allowInvitesFrom: z.enum(['none', 'adminsAndGuestInviters', 'adminsGuestInvitersAndAllMembers', 'everyone']),
    allowUserConsentForRiskyApps: z.boolean(),
    allowedToSignUpEmailBasedSubscriptions: z.boolean(),
    allowedToUseSSPR: z.boolean(),
    blockMsolPowerShell: z.boolean(),
    defaultUserRolePermissions: z
      .object({
        allowedToCreateApps: z.boolean(),
        allowedToCreateSecurityGroups: z.boolean(),
        allowedToCreateTenants: z.boolean(),
        allowedToReadBitlockerKeysForOwnedDevice: z.boolean(),
        allowedToReadOtherUsers: z.boolean(),
        permissionGrantPoliciesAssigned: z.array(z.string()),
      })
      .partial()
      .strict(),
    description: z.string(),
    displayName: z.string(),
    guestUserRoleId: z.enum([
      'a0b1b346-4d3e-4e8b-98f8-753987be4970',
      '10dae51f-b6af-4016-8d66-8c2a99b929b3',
      '2af84b1e-32c8-42b7-82bc-daa82404023b',
    ]),
  })
  .partial()
  .strict();

/** A directory object reference in @odata.bind or @odata.id: .../users/{id} or .../directoryObjects/{id} of this tenant. */
function referencedUser(em: GraphEmulator, ref: unknown): string {
  const m =
    typeof ref === 'string' ? /^https:\/\/graph\.microsoft\.com\/(v1\.0|beta)\/(users|directoryObjects)\/([^/?#]+)$/i.exec(ref) : null;
  if (!m)
    throw badRequest(
      `Invalid object reference '${String(ref).slice(0, 100)}': use https://graph.microsoft.com/v1.0/directoryObjects/{id}.`,
    );
  const id = decodeURIComponent(m[3]).toLowerCase();
  if (!em.state.users.some((u) => u.id === id)) throw notFound(id);
  return id;
}

function groupView(g: SeedGroup): Record<string, unknown> {
  const c = g as Partial<CreatedGroup>;
  return {
    id: g.id,
    displayName: g.displayName,
    description: c.description ?? null,
    mailEnabled: c.mailEnabled ?? false,
    mailNickname: c.mailNickname ?? g.displayName.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    securityEnabled: c.securityEnabled ?? true,
    groupTypes: c.groupTypes ?? [],
    createdDateTime: c.createdDateTime ?? null,
  };
}

export function registerPostureRoutes(em: GraphEmulator): void {
  const s = () => em.state;
  const policies = () => s().conditionalAccessPolicies as unknown as Record<string, unknown>[];
  const policy = (id: string) => {
    const p = policies().find((x) => x.id === decodeURIComponent(id));
    if (!p) throw new GraphHttpError(404, 'ResourceNotFound', `The policy '${decodeURIComponent(id)}' was not found.`);
    return p;
  };
  const group = (id: string) => {
    const g = s().groups.find((x) => x.kind === 'group' && x.id === decodeURIComponent(id).toLowerCase());
    if (!g) throw notFound(decodeURIComponent(id));
    return g;
  };

  // L/api/conditionalaccessroot-post-policies: 201 and the stored policy.
  em.on('POST', '/identity/conditionalAccess/policies', (c) => {
    const body = validatePolicy(em, c.body);
    const stored = normalizePolicy(body, randomUUID(), new Date(em.clock()).toISOString());
    policies().push(stored);
    return json(201, { '@odata.context': odataContext(c, 'identity/conditionalAccess/policies/$entity'), ...stored });
  });
  em.on('GET', '/identity/conditionalAccess/policies/{id}', (c, m) =>
    json(200, { '@odata.context': odataContext(c, 'identity/conditionalAccess/policies/$entity'), ...policy(m[1]) }),
  );
  // L/api/conditionalaccesspolicy-update: the properties given replace the stored ones; 204.
  em.on('PATCH', '/identity/conditionalAccess/policies/{id}', (c, m) => {
    const p = policy(m[1]);
    const patch = c.body as Record<string, unknown> | undefined;
    if (!patch || typeof patch !== 'object' || Array.isArray(patch))
      throw new GraphHttpError(400, 'BadRequest', 'The request body must be a conditionalAccessPolicy object.');
    const { id: _i, createdDateTime: _c, modifiedDateTime: _m, templateId: _t, ...current } = p;
    const next = normalizePolicy(validatePolicy(em, { ...current, ...patch }), String(p.id), String(p.createdDateTime));
    Object.assign(p, next, { modifiedDateTime: new Date(em.clock()).toISOString() });
    return json(204);
  });
  em.on('DELETE', '/identity/conditionalAccess/policies/{id}', (_c, m) => {
    const p = policy(m[1]);
    s().conditionalAccessPolicies.splice(policies().indexOf(p), 1);
    return json(204);
  });

  // L/api/authorizationpolicy-update: 204; properties not given keep their values (nested ones too, as the examples
  // that send only defaultUserRolePermissions.allowedToCreateApps show).
  em.on('PATCH', '/policies/authorizationPolicy', (c) => {
    const parsed = authorizationUpdate.safeParse(c.body);
    if (!parsed.success)
      throw badRequest(
        `Invalid authorizationPolicy update: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
      );
    const u = parsed.data;
    const bad = u.defaultUserRolePermissions?.permissionGrantPoliciesAssigned?.find((x) => !GRANT_POLICIES.test(x));
    if (bad)
      throw badRequest(
        `Invalid value specified for property 'permissionGrantPoliciesAssigned': '${bad}' is not a permission grant policy of this tenant.`,
      );
    const policyNow = s().authorizationPolicy as Record<string, unknown> & { defaultUserRolePermissions: Record<string, unknown> };
    const { defaultUserRolePermissions, ...rest } = u;
    Object.assign(policyNow, rest);
    if (defaultUserRolePermissions) Object.assign(policyNow.defaultUserRolePermissions, defaultUserRolePermissions);
    return json(204);
  });

  // L/api/group-post-groups: security groups only (mail-enabled security groups cannot be created in Graph);
  // displayName <= 256, mailNickname <= 64 ASCII without @ ( ) \ [ ] " ; : . < > , or space; at most 20
  // relationships (owners and members) in the request.
  em.on('POST', '/groups', (c) => {
    const b = (c.body ?? {}) as Record<string, unknown>;
    const required = ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled'].filter((k) => b[k] === undefined);
    if (required.length) throw badRequest(`Invalid value specified for property '${required[0]}' of resource 'Group'.`);
    if (typeof b.displayName !== 'string' || !b.displayName.trim() || b.displayName.length > 256)
      throw badRequest("Invalid value specified for property 'displayName' of resource 'Group'.");
    if (typeof b.mailNickname !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(b.mailNickname) || /[@()\\[\]";:.<>,]/.test(b.mailNickname))
      throw badRequest("Invalid value specified for property 'mailNickname' of resource 'Group'.");
    const groupTypes = (b.groupTypes ?? []) as unknown;
    if (!Array.isArray(groupTypes) || groupTypes.some((t) => !['Unified', 'DynamicMembership'].includes(t)))
      throw badRequest("Invalid value specified for property 'groupTypes' of resource 'Group'.");
    if (b.mailEnabled === true && !groupTypes.includes('Unified'))
      throw badRequest('Only Unified groups (Microsoft 365 groups) can be mail-enabled; security groups must have mailEnabled false.');
    if (typeof b.securityEnabled !== 'boolean' || typeof b.mailEnabled !== 'boolean')
      throw badRequest("Invalid value specified for property 'securityEnabled' of resource 'Group'.");
    const members = (b['members@odata.bind'] ?? []) as unknown[];
    const owners = (b['owners@odata.bind'] ?? []) as unknown[];
    if (!Array.isArray(members) || !Array.isArray(owners))
      throw badRequest('members@odata.bind and owners@odata.bind must be collections of object references.');
    if (members.length + owners.length > 20)
      throw badRequest(
        'A maximum of 20 relationships (owners and members) can be added as part of group creation; add the others afterwards.',
      );
    const known = new Set([
      'displayName',
      'description',
      'mailEnabled',
      'mailNickname',
      'securityEnabled',
      'groupTypes',
      'members@odata.bind',
      'owners@odata.bind',
      'isAssignableToRole',
      'visibility',
    ]);
    const unknown = Object.keys(b).find((k) => !known.has(k));
    if (unknown) throw badRequest(`Property '${unknown}' does not exist on type 'microsoft.graph.group' or is not writable.`);
    if (b.isAssignableToRole === true && !s().app.permissions.includes('RoleManagement.ReadWrite.Directory'))
      throw new GraphHttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const g: CreatedGroup = {
      id: randomUUID(),
      displayName: b.displayName,
      description: typeof b.description === 'string' ? b.description : null,
      mailNickname: b.mailNickname,
      mailEnabled: b.mailEnabled,
      securityEnabled: b.securityEnabled,
      groupTypes: groupTypes as string[],
      members: [...new Set(members.map((r) => referencedUser(em, r)))],
      owners: [...new Set(owners.map((r) => referencedUser(em, r)))],
      kind: 'group',
      createdDateTime: new Date(em.clock()).toISOString(),
    };
    s().groups.push(g);
    return json(201, { '@odata.context': odataContext(c, 'groups/$entity'), ...groupView(g) });
  });
  // L/api/group-list: security groups (directory roles are not groups); $filter on mailNickname (eq) and $select, as
  // the group resource's properties list them, through the emulator's OData filter.
  em.on('GET', '/groups', (c) =>
    em.collection(
      c,
      '/groups',
      s()
        .groups.filter((g) => g.kind === 'group')
        .map(groupView),
    ),
  );
  em.on('GET', '/groups/{id}', (c, m) => json(200, { '@odata.context': odataContext(c, 'groups/$entity'), ...groupView(group(m[1])) }));
  em.on('DELETE', '/groups/{id}', (_c, m) => {
    const g = group(m[1]);
    s().groups.splice(s().groups.indexOf(g), 1);
    return json(204);
  });
  // L/api/group-post-members: one reference per request; an existing member is a 400.
  em.on('POST', '/groups/{id}/members/\\$ref', (c, m) => {
    const g = group(m[1]);
    const id = referencedUser(em, (c.body as { '@odata.id'?: unknown } | undefined)?.['@odata.id']);
    if (g.members.includes(id))
      throw badRequest("One or more added object references already exist for the following modified properties: 'members'.");
    g.members.push(id);
    return json(204);
  });

  // L/api/directoryrole-get: a role activated in the tenant, by object id; roleTemplateId is what Conditional Access takes.
  em.on('GET', '/directoryRoles/{id}', (c, m) => {
    const id = decodeURIComponent(m[1]).toLowerCase();
    const r = isGuid(id) ? s().groups.find((x) => x.kind === 'directoryRole' && x.id === id) : undefined;
    if (!r) throw notFound(id);
    return json(200, {
      '@odata.context': odataContext(c, 'directoryRoles/$entity'),
      id: r.id,
      displayName: r.displayName,
      description: null,
      roleTemplateId: r.roleTemplateId,
    });
  });
}
