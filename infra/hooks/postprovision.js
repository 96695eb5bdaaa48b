#!/usr/bin/env node
// After provisioning (azd's postprovision hook, m365agents.yml's provision, or by hand): what Contain's managed identity
// still lacks in Entra ID - Microsoft Graph application roles (admin consent) and the directory roles Bicep cannot
// assign - with the exact Graph request for each. With GRANT_CONTAIN_PERMISSIONS=true and an az/azd sign-in that
// may grant them (Privileged Role Administrator or Global Administrator), it makes those requests itself.
// Needs only Node: reads MANAGED_IDENTITY_PRINCIPAL_ID (a main.bicep output) and the list in ../graph-permissions.json.
'use strict';
const { spawnSync } = require('node:child_process');
const permissions = require('../graph-permissions.json');

const GRAPH_URL = 'https://graph.microsoft.com/v1.0';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A Graph token for the signed-in operator: Azure CLI first, then azd's own sign-in; undefined when neither has one. */
function operatorToken() {
  const shell = process.platform === 'win32'; // az and azd are .cmd/.exe shims there
  const az = spawnSync('az', ['account', 'get-access-token', '--resource-type', 'ms-graph', '--query', 'accessToken', '-o', 'tsv'], {
    encoding: 'utf8',
    shell,
  });
  if (az.status === 0 && az.stdout.trim()) return az.stdout.trim();
  const azd = spawnSync('azd', ['auth', 'token', '--scope', 'https://graph.microsoft.com/.default', '--output', 'json'], {
    encoding: 'utf8',
    shell,
  });
  if (azd.status === 0) {
    try {
      return JSON.parse(azd.stdout).token || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** One Graph request; never throws for an HTTP status, only for a network failure. */
async function graph(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

/** Every item of a paged Graph collection, or undefined when Graph refuses to list it. */
async function list(base, token, path) {
  const items = [];
  for (let next = `${base}${path}`; next;) {
    const r = await graph('', token, 'GET', next);
    if (r.status !== 200 || !r.json) return undefined;
    items.push(...(r.json.value || []));
    next = r.json['@odata.nextLink'];
  }
  return items;
}

/** What is held and what is missing; `held` is undefined where the operator's account could not read it. */
async function readState(base, token, principalId) {
  const sp = await graph(base, token, 'GET', `/servicePrincipals(appId='${permissions.graphAppId}')?$select=id,appRoles`);
  const graphSp = sp.status === 200 && sp.json ? { id: sp.json.id, appRoles: sp.json.appRoles || [] } : undefined;
  const assignments = await list(base, token, `/servicePrincipals/${principalId}/appRoleAssignments`);
  const roles = await list(base, token, `/roleManagement/directory/roleAssignments?$filter=principalId eq '${principalId}'`);
  return {
    graphSp,
    heldAppRoleIds:
      assignments && graphSp ? new Set(assignments.filter((a) => a.resourceId === graphSp.id).map((a) => a.appRoleId)) : undefined,
    heldRoleIds: roles ? new Set(roles.filter((r) => (r.directoryScopeId || '/') === '/').map((r) => r.roleDefinitionId)) : undefined,
  };
}

/** The grants Contain needs, each with whether it is held (true/false/undefined = unknown) and its Graph request. */
function plan(principalId, state = {}) {
  const { graphSp, heldAppRoleIds, heldRoleIds } = state;
  const appRoles = permissions.appRoles.map(({ value }) => {
    const appRoleId = graphSp ? (graphSp.appRoles.find((r) => r.value === value) || {}).id : undefined;
    return {
      kind: 'appRole',
      name: value,
      held: heldAppRoleIds && appRoleId ? heldAppRoleIds.has(appRoleId) : undefined,
      path: `/servicePrincipals/${principalId}/appRoleAssignments`,
      // Without a sign-in the ids of Graph's service principal and its app roles are unknown: `commands` looks them up.
      body: graphSp && appRoleId ? { principalId, resourceId: graphSp.id, appRoleId } : undefined,
    };
  });
  const directoryRoles = permissions.directoryRoles.map(({ name, roleTemplateId }) => ({
    kind: 'directoryRole',
    name,
    held: heldRoleIds ? heldRoleIds.has(roleTemplateId) : undefined,
    path: '/roleManagement/directory/roleAssignments',
    body: { principalId, roleDefinitionId: roleTemplateId, directoryScopeId: '/' },
  }));
  return [...appRoles, ...directoryRoles];
}

/** The az commands (POSIX shell) an admin runs for these grants: one per grant, or a lookup loop where ids are unknown. */
function commands(principalId, grants) {
  const lines = [];
  const unresolved = grants.filter((g) => !g.body);
  if (unresolved.length) {
    lines.push(`MI=${principalId}`, `GRAPH=$(az ad sp show --id ${permissions.graphAppId} --query id -o tsv)`);
    lines.push(`for ROLE in ${unresolved.map((g) => g.name).join(' ')}; do`);
    lines.push(`  ID=$(az ad sp show --id ${permissions.graphAppId} --query "appRoles[?value=='$ROLE'].id" -o tsv)`);
    lines.push(
      `  az rest -m POST -u "${GRAPH_URL}/servicePrincipals/$MI/appRoleAssignments" --headers Content-Type=application/json -b "{\\"principalId\\":\\"$MI\\",\\"resourceId\\":\\"$GRAPH\\",\\"appRoleId\\":\\"$ID\\"}"`,
    );
    lines.push('done');
  }
  for (const g of grants.filter((x) => x.body)) {
    lines.push(
      `az rest -m POST -u ${GRAPH_URL}${g.path} --headers Content-Type=application/json -b '${JSON.stringify(g.body)}'   # ${g.kind === 'appRole' ? 'Graph permission' : 'directory role'} ${g.name}`,
    );
  }
  return lines;
}

/**
 * Report (and with `grant`, make) the missing grants. Options: env, graphUrl, token (a function returning a Graph
 * token or undefined), out (a line printer). Resolves to the grants still missing or unknown afterwards.
 */
async function run({ env = process.env, graphUrl = GRAPH_URL, token = operatorToken, out = (line) => console.log(line) } = {}) {
  const principalId = env.MANAGED_IDENTITY_PRINCIPAL_ID;
  if (!principalId || !GUID.test(principalId)) {
    out(
      "Set MANAGED_IDENTITY_PRINCIPAL_ID to the managed identity's principal id (output MANAGED_IDENTITY_PRINCIPAL_ID of infra/main.bicep; azd and the Agents Toolkit set it after provisioning).",
    );
    return undefined;
  }
  const grant = /^(true|1|yes)$/i.test(env.GRANT_CONTAIN_PERMISSIONS || '');
  const bearer = await token();
  const state = bearer ? await readState(graphUrl, bearer, principalId).catch(() => ({})) : {};
  const grants = plan(principalId, state);
  out('');
  out(
    `Contain's managed identity (service principal ${principalId}) needs ${permissions.appRoles.length} Microsoft Graph application permissions and ${permissions.directoryRoles.length} Entra directory roles.`,
  );
  if (!bearer) out('Could not read what it holds (sign in with `az login` to check): listing every grant.');

  if (grant && bearer) {
    for (const g of grants.filter((x) => x.held !== true)) {
      if (!g.body) continue;
      const r = await graph(graphUrl, bearer, 'POST', g.path, g.body);
      if (r.status === 201 || r.status === 200) {
        g.held = true;
        out(`  granted: ${g.name}`);
      } else {
        const code = r.json && r.json.error ? `${r.json.error.code}: ${r.json.error.message}` : `HTTP ${r.status}`;
        out(
          `  could not grant ${g.name} (${code})${r.status === 403 ? ': granting needs a Privileged Role Administrator or Global Administrator' : ''}`,
        );
      }
    }
  }

  const missing = grants.filter((g) => g.held !== true);
  const held = grants.length - missing.length;
  if (missing.length === 0) {
    out(`All ${grants.length} grants are in place.`);
  } else {
    if (held) out(`${held} of ${grants.length} are in place.`);
    out(
      `A Global Administrator or Privileged Role Administrator runs, once${grant ? '' : ' (or sets `azd env set GRANT_CONTAIN_PERMISSIONS true` and runs `azd hooks run postprovision`)'}:`,
    );
    for (const line of commands(principalId, missing)) out(`  ${line}`);
    out('Directory roles are tenant-wide ("/"): a role scoped to an administrative unit does not cover every user.');
  }
  const app = env.FUNCTION_APP_NAME || '<function app>';
  const group = env.AZURE_RESOURCE_GROUP || env.AZURE_RESOURCE_GROUP_NAME || '<resource group>';
  out('');
  out('Then check them with `contain doctor`: the Function App runs it at every start and logs the result to Application Insights');
  out(
    `("contain doctor: all checks pass", or each failing check with its fix). Restart it after granting: az functionapp restart -g ${group} -n ${app}`,
  );
  out('and ask it in Teams, as an approver: @Contain doctor.');
  if (env.BOT_ID && env.BOT_DOMAIN)
    out(
      `Teams app package: BOT_ID=${env.BOT_ID} BOT_DOMAIN=${env.BOT_DOMAIN} npm run package:teams (or the Agents Toolkit, m365agents.yml).`,
    );
  out('');
  return missing;
}

module.exports = { run, plan, commands };

if (require.main === module) {
  run().catch((err) => {
    // Never fail the provisioning for this: the grants can be made later, and doctor reports them.
    console.error(`post-provision check failed: ${err instanceof Error ? err.message : String(err)}`);
  });
}
