import type { ContainContext } from '../context';
import { runBatch, subError, type BatchResponse } from '../graph/batch';
import { odataString, query, segment } from '../graph/odata';
import type { ActionKind } from '../incidents/model';
import { isUnregistered } from '../powerautomate/client';
import { EXCHANGE_APP_ID, MESSAGE_TRACE_APP_ID } from './fixes';
import { REQUIREMENTS, type Requirement } from './requirements';

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** One row of `contain doctor`. */
export interface DoctorCheck {
  id: string;
  ok: boolean;
  needs: string;
  enables: string;
  fix: string;
  /** False when doctor could not tell (the read itself failed): the card then marks nothing for it. */
  known: boolean;
  /** Containment actions that cannot run while this fails. */
  actions: ActionKind[];
  /** What the containment card says on those actions. */
  card?: string;
  /** A feature Contain works without: failing, it does not fail doctor. */
  optional?: boolean;
}

export interface DoctorResult {
  at: string;
  appId?: string;
  servicePrincipalId?: string;
  checks: DoctorCheck[];
}

const body = <T>(r: BatchResponse | undefined): T | undefined => (r && r.status < 300 ? (r.body as T) : undefined);
const why = (r: BatchResponse | undefined) =>
  r ? `Graph answered ${r.status}${subError(r).code ? ` ${subError(r).code}` : ''}` : 'no answer';

/**
 * Check, against the configured tenant, every permission, directory role, licence and prerequisite the steps need:
 * Contain's own service principal (by appId), its app role assignments on Microsoft Graph, its directory role
 * assignments, the subscriptions' service plans, Microsoft's message-trace service principal and the Power Automate
 * admin API. Two Graph round trips plus one Power Automate call; nothing is changed.
 */
export async function runDoctor(ctx: ContainContext, options: { signal?: AbortSignal } = {}): Promise<DoctorResult> {
  const appId = ctx.config.graph.clientId ?? ('clientId' in ctx.config.graph.credential ? ctx.config.graph.credential.clientId : undefined);
  const sp = (id: string, select: string) => `/servicePrincipals(appId=${odataString(id)})${query({ $select: select })}`;
  const first = await runBatch(
    ctx.graph,
    [
      ...(appId ? [{ id: 'self', method: 'GET' as const, url: sp(appId, 'id,appId,displayName') }] : []),
      { id: 'graph', method: 'GET', url: sp(GRAPH_APP_ID, 'id,appRoles') },
      { id: 'skus', method: 'GET', url: '/subscribedSkus' },
      { id: 'trace', method: 'GET', url: sp(MESSAGE_TRACE_APP_ID, 'id,appId') },
      { id: 'exchange', method: 'GET', url: sp(EXCHANGE_APP_ID, 'id,appRoles') },
    ],
    { signal: options.signal },
  );
  const self = body<{ id: string }>(first.get('self'));
  const second = self
    ? await runBatch(
        ctx.graph,
        [
          { id: 'appRoles', method: 'GET', url: `/servicePrincipals/${segment(self.id)}/appRoleAssignments${query({ $top: 999 })}` },
          {
            id: 'roles',
            method: 'GET',
            url: `/roleManagement/directory/roleAssignments${query({ $filter: `principalId eq ${odataString(self.id)}`, $expand: 'roleDefinition' })}`,
          },
        ],
        { signal: options.signal },
      )
    : new Map<string, BatchResponse>();
  const flows = await probeFlows(ctx, options.signal);

  // What the app holds, or why doctor cannot tell.
  const graph = body<{ id: string; appRoles?: { id: string; value: string }[] }>(first.get('graph'));
  const assignments = body<{ value: { appRoleId: string; resourceId: string }[] }>(second.get('appRoles'));
  const heldOn = (resource: { id: string; appRoles?: { id: string; value: string }[] } | undefined) =>
    resource && assignments
      ? new Set(
          assignments.value
            .filter((a) => a.resourceId === resource.id)
            .map((a) => resource.appRoles?.find((r) => r.id === a.appRoleId)?.value)
            .filter((v): v is string => !!v),
        )
      : undefined;
  const permissions = heldOn(graph);
  // Office 365 Exchange Online's service principal: absent (404) in a tenant without Exchange Online, so nothing held.
  const exchange = first.get('exchange');
  const exchangePermissions =
    exchange?.status === 404 && assignments
      ? new Set<string>()
      : heldOn(body<{ id: string; appRoles?: { id: string; value: string }[] }>(exchange));
  const roleRows = body<{ value: { roleDefinitionId: string; directoryScopeId?: string; roleDefinition?: { templateId?: string } }[] }>(
    second.get('roles'),
  );
  // Only tenant-wide assignments count: a role scoped to an administrative unit does not cover every user.
  const roles = roleRows
    ? new Set(
        roleRows.value.filter((r) => (r.directoryScopeId ?? '/') === '/').map((r) => r.roleDefinition?.templateId ?? r.roleDefinitionId),
      )
    : undefined;
  const skus = body<{ value: { capabilityStatus: string; servicePlans: { servicePlanName: string; provisioningStatus: string }[] }[] }>(
    first.get('skus'),
  );
  const plans = skus
    ? new Set(
        skus.value
          .filter((k) => k.capabilityStatus === 'Enabled')
          .flatMap((k) => k.servicePlans.filter((p) => p.provisioningStatus === 'Success').map((p) => p.servicePlanName)),
      )
    : undefined;

  const unreadable = !appId
    ? 'Contain does not know its own app: set AZURE_CLIENT_ID to the client id of its app registration or managed identity.'
    : !self
      ? `Contain's service principal (app id ${appId}) could not be read (${why(first.get('self'))}): it needs Application.Read.All or Application.ReadWrite.All, and the app must exist in this tenant.`
      : undefined;
  const ids = { appId, servicePrincipalId: self?.id };
  const row = (r: Requirement, ok: boolean | undefined, unknownWhy?: string): DoctorCheck => ({
    id: r.id,
    ok: ok === true,
    needs: r.needs,
    enables: r.enables,
    fix: ok === undefined ? `Doctor could not tell: ${unknownWhy ?? 'the read failed'}` : r.fix(ids),
    known: ok !== undefined,
    actions: r.actions,
    card: r.card,
    ...(r.optional ? { optional: true } : {}),
  });
  const checks = REQUIREMENTS.map((r): DoctorCheck => {
    switch (r.kind) {
      case 'permission': {
        const held = r.resource === 'exchange' ? exchangePermissions : permissions;
        return row(
          r,
          held && r.satisfiedBy.some((p) => held.has(p)),
          unreadable ??
            `its app role assignments could not be read (${why(second.get('appRoles'))}; the resource's roles: ${why(first.get(r.resource ?? 'graph'))})`,
        );
      }
      case 'role':
        return row(
          r,
          roles && r.satisfiedBy.some((t) => roles.has(t)),
          unreadable ??
            `its directory role assignments could not be read (${why(second.get('roles'))}): it needs Directory.Read.All or RoleManagement.Read.Directory`,
        );
      case 'licence':
        return row(
          r,
          plans && r.satisfiedBy.some((p) => plans.has(p)),
          `the subscriptions could not be read (${why(first.get('skus'))}): it needs Directory.Read.All or Organization.Read.All`,
        );
      case 'prerequisite':
        if (r.id === 'prerequisite:message-trace-service-principal') {
          const t = first.get('trace');
          return row(
            r,
            t?.status === 200 ? true : t?.status === 404 ? false : undefined,
            `the service principal could not be looked up (${why(t)})`,
          );
        }
        return { ...row(r, flows.ok, flows.why), ...(flows.ok === false && flows.why ? { fix: `${flows.why} ${r.fix(ids)}` } : {}) };
    }
  });
  return { at: ctx.now().toISOString(), appId, servicePrincipalId: self?.id, checks };
}

async function probeFlows(ctx: ContainContext, signal?: AbortSignal): Promise<{ ok: boolean | undefined; why?: string }> {
  if (!ctx.flows) return { ok: false, why: 'Power Automate is not configured.' };
  try {
    const r = await ctx.flows.probe({ signal });
    if (r.status < 300) return { ok: true };
    if (isUnregistered(r)) return { ok: false, why: 'The Power Automate admin API refused Contain (403): its app is not registered.' };
    return { ok: false, why: `The Power Automate admin API answered HTTP ${r.status}.` };
  } catch (err) {
    return { ok: undefined, why: `the Power Automate admin API did not answer (${(err as Error).message})` };
  }
}

/** The card's words for an action the app cannot perform, or undefined when nothing known stands in its way. */
export function blockerFor(result: DoctorResult | undefined, kind: ActionKind): string | undefined {
  const failing = result?.checks.filter((c) => c.known && !c.ok && c.actions.includes(kind)) ?? [];
  if (!failing.length) return undefined;
  return `Not possible for Contain: it ${failing.map((c) => c.card ?? c.needs).join(' It also ')}`;
}
