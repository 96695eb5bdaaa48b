import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { REQUIREMENTS } from '../../src/doctor/requirements';
import { DIRECTORY_ROLES } from '../../src/doctor/fixes';
import { bicepInterface, parameterNames } from '../helpers/bicep';

const root = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const azureYaml = parse(read('azure.yaml')) as {
  name: string;
  infra: { provider: string; path: string; module: string };
  services: Record<
    string,
    {
      project: string;
      language: string;
      host: string;
      dist: string;
      remoteBuild: boolean;
      hooks: Record<string, Record<string, { run: string }>>;
    }
  >;
  hooks: Record<string, Record<string, { run: string }>>;
};
const main = bicepInterface(join(root, 'infra/main.bicep'));
const permissions = JSON.parse(read('infra/graph-permissions.json')) as {
  graphAppId: string;
  appRoles: { value: string }[];
  directoryRoles: { name: string; roleTemplateId: string }[];
};

/**
 * azd's schema, compiled. It refers out to the config schemas of azd extension hosts (azure.ai.*, microsoft.foundry)
 * for services of those hosts only; Contain has none, so those references resolve to an open schema.
 */
function azdSchema() {
  const text = read('test/fixtures/schemas/azure.yaml.schema.json');
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  for (const [, uri] of text.matchAll(/"\$ref": "(https:[^"#]+)"/g)) if (!ajv.getSchema(uri)) ajv.addSchema({}, uri);
  return ajv.compile(JSON.parse(text));
}

describe('azure.yaml (azd up)', () => {
  test("validates against azd's published schema (test/fixtures/schemas/azure.yaml.schema.json)", () => {
    const validate = azdSchema();
    expect(validate(azureYaml) ? [] : validate.errors).toEqual([]);
  });

  test('the schema is not a pushover: a service without a host, or a hook with an unknown shell, is refused', () => {
    const validate = azdSchema();
    expect(validate({ name: 'contain', services: { contain: { project: '.', language: 'ts' } } })).toBe(false);
    expect(validate({ ...azureYaml, hooks: { postprovision: { shell: 'bash', run: 'x' } } })).toBe(false);
  });

  test('names the Function App service, deployed from the staged folder, to the resource main.bicep tags for it', () => {
    const [[name, svc]] = Object.entries(azureYaml.services);
    expect(svc).toMatchObject({ project: '.', language: 'ts', host: 'function', dist: 'dist/functionapp', remoteBuild: false });
    expect(read('infra/main.bicep')).toContain(`'azd-service-name': '${name}'`);
    expect(read('scripts/package-functions.js')).toContain("path.join(root, 'dist', 'functionapp')");
    expect(existsSync(join(root, azureYaml.infra.path, `${azureYaml.infra.module}.bicep`))).toBe(true);
  });

  test('every hook runs a script that exists, the same on POSIX and Windows', () => {
    const hooks = [...Object.values(azureYaml.hooks), ...Object.values(azureYaml.services).flatMap((s) => Object.values(s.hooks))];
    for (const hook of hooks) {
      expect(hook.posix.run).toBe(hook.windows.run);
      const [, script] = /^node (\S+)$/.exec(hook.posix.run) ?? [];
      expect(existsSync(join(root, script))).toBe(true);
    }
  });
});

describe('infra parameters', () => {
  test.each(['infra/main.parameters.json', 'infra/main.parameters.example.json'])(
    '%s sets only parameters main.bicep declares, and every required one',
    (file) => {
      const names = parameterNames(join(root, file));
      expect(names.filter((n) => !main.params.has(n))).toEqual([]);
      const required = [...main.params].filter(([, p]) => !p.hasDefault).map(([n]) => n);
      expect(required.filter((n) => !names.includes(n))).toEqual([]);
    },
  );

  test("azd's file maps its environment, and the Contain settings by their own names", () => {
    const params = (JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> }).parameters;
    expect(params.environmentName.value).toBe('${AZURE_ENV_NAME}');
    expect(params.location.value).toBe('${AZURE_LOCATION}');
    expect(params.approvers.value).toBe('${CONTAIN_APPROVERS}');
    expect(params.protectedUsers.value).toBe('${CONTAIN_PROTECTED_USERS}');
    // Under azd the hook grants (or prints) the Graph roles: a deploying account without the rights must not fail provisioning.
    expect(params.grantGraphPermissions.value).toBe(false);
  });

  test('outputs the hook and the Agents Toolkit read', () => {
    for (const name of ['MANAGED_IDENTITY_PRINCIPAL_ID', 'BOT_ID', 'BOT_DOMAIN', 'FUNCTION_APP_NAME', 'BOT_AZURE_FUNCTION_APP_RESOURCE_ID'])
      expect(main.outputs).toContain(name);
    const hook = read('infra/hooks/postprovision.js');
    for (const used of hook.match(/env\.([A-Z_]+)/g) ?? []) {
      const name = used.slice(4);
      if (['GRANT_CONTAIN_PERMISSIONS', 'AZURE_RESOURCE_GROUP', 'AZURE_RESOURCE_GROUP_NAME'].includes(name)) continue;
      expect(main.outputs).toContain(name);
    }
  });

  test('every module and loaded file main.bicep names exists (Bicep CLI is not installable here: this is the review)', () => {
    const bicep = read('infra/main.bicep') + read('infra/graph-grants.bicep');
    const refs = [...bicep.matchAll(/module \w+ '([^']+)'/g), ...bicep.matchAll(/loadJsonContent\('([^']+)'\)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(1);
    for (const ref of refs) expect(existsSync(join(root, 'infra', ref))).toBe(true);
    expect([...bicepInterface(join(root, 'infra/graph-grants.bicep')).params.keys()]).toEqual(['principalId']);
  });
});

describe('infra/graph-permissions.json', () => {
  test('lists exactly what `contain doctor` requires (its optional rows are granted by choice)', () => {
    const doctorPermissions = REQUIREMENTS.filter((r) => r.kind === 'permission' && !r.optional).map((r) => r.satisfiedBy[0]);
    expect(permissions.appRoles.map((r) => r.value).sort()).toEqual([...doctorPermissions].sort());
    expect(Object.fromEntries(permissions.directoryRoles.map((r) => [r.name, r.roleTemplateId]))).toEqual(DIRECTORY_ROLES);
  });

  test("docs/deploy.md's manual loop grants every one of them", () => {
    const docs = read('docs/deploy.md');
    for (const { value } of permissions.appRoles) expect(docs).toContain(value);
  });
});

/**
 * A stand-in for the few Graph endpoints the hook uses, shaped as documented:
 * https://learn.microsoft.com/graph/api/serviceprincipal-list-approleassignments (appRoleAssignment: resourceId, appRoleId),
 * https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments ($filter=principalId eq, unifiedRoleAssignment),
 * and the POSTs of serviceprincipal-post-approleassignments and rbacapplication-post-roleassignments (201 Created).
 */
function fakeGraph(state: { held: string[]; roles: string[]; refuse?: boolean }) {
  const graphSpId = 'aaaaaaaa-0000-4000-8000-000000000001';
  const appRoles = permissions.appRoles.map((r, i) => ({ value: r.value, id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
  const posts: { path: string; body: Record<string, string> }[] = [];
  const body = (req: IncomingMessage) =>
    new Promise<string>((ok) => {
      let s = '';
      req.on('data', (c) => (s += c));
      req.on('end', () => ok(s));
    });
  const server = createServer(async (req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (req.headers.authorization !== 'Bearer test-token')
      return send(401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } });
    if (req.method === 'GET' && url.startsWith(`/v1.0/servicePrincipals(appId='${permissions.graphAppId}')`))
      return send(200, { id: graphSpId, appRoles });
    if (req.method === 'GET' && /^\/v1\.0\/servicePrincipals\/[^/]+\/appRoleAssignments$/.test(url))
      return send(200, { value: state.held.map((v) => ({ resourceId: graphSpId, appRoleId: appRoles.find((r) => r.value === v)!.id })) });
    if (req.method === 'GET' && url.startsWith('/v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '))
      return send(200, { value: state.roles.map((id) => ({ roleDefinitionId: id, directoryScopeId: '/' })) });
    if (req.method === 'POST') {
      const b = JSON.parse(await body(req)) as Record<string, string>;
      posts.push({ path: url, body: b });
      if (state.refuse)
        return send(403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } });
      return send(201, { id: 'new', ...b });
    }
    send(404, { error: { code: 'Request_ResourceNotFound', message: 'not found' } });
  });
  return { server, posts, graphSpId, appRoles };
}

type Hook = {
  run(o: {
    env: Record<string, string>;
    graphUrl: string;
    token: () => Promise<string | undefined>;
    out: (l: string) => void;
  }): Promise<{ name: string }[]>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const hook = require('../../infra/hooks/postprovision.js') as Hook;
const MI = '11111111-2222-4333-8444-555555555555';

describe('infra/hooks/postprovision.js', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((ok) => (server ? server.close(() => ok()) : ok())));
  async function start(state: Parameters<typeof fakeGraph>[0]) {
    const g = fakeGraph(state);
    server = g.server;
    await new Promise<void>((ok) => g.server.listen(0, '127.0.0.1', ok));
    return { ...g, url: `http://127.0.0.1:${(g.server.address() as AddressInfo).port}/v1.0` };
  }
  const runHook = async (url: string, env: Record<string, string>, token: string | undefined) => {
    const lines: string[] = [];
    const missing = await hook.run({
      env: { MANAGED_IDENTITY_PRINCIPAL_ID: MI, ...env },
      graphUrl: url,
      token: async () => token,
      out: (l) => lines.push(l),
    });
    return { missing: missing.map((m) => m.name), text: lines.join('\n') };
  };

  test('without a sign-in it prints every grant as commands a shell accepts, and how to check with contain doctor', async () => {
    const { url } = await start({ held: [], roles: [] });
    const { missing, text } = await runHook(url, { FUNCTION_APP_NAME: 'contain-func-x', AZURE_RESOURCE_GROUP: 'rg-contain' }, undefined);
    expect(missing).toHaveLength(permissions.appRoles.length + permissions.directoryRoles.length);
    expect(text).toContain(
      `/roleManagement/directory/roleAssignments --headers Content-Type=application/json -b '{"principalId":"${MI}","roleDefinitionId":"fe930be7-5e62-47db-91af-98c3a49a38b1","directoryScopeId":"/"}'`,
    );
    expect(text).toContain('7698a772-787b-4ac8-901f-60d6b08affd2');
    expect(text).toContain('contain doctor');
    expect(text).toContain('az functionapp restart -g rg-contain -n contain-func-x');
    const script = text
      .split('\n')
      .filter((l) => /^ {2}(MI=|GRAPH=|for |done|az |\s+ID=|\s+az )/.test(l))
      .join('\n');
    expect(script).toContain('for ROLE in User.Read.All ');
    expect(spawnSync('bash', ['-n', '-c', script]).status).toBe(0);
  });

  test('signed in, it reads what is held and lists only what is missing, with the exact ids', async () => {
    const { url, appRoles, graphSpId, posts } = await start({
      held: permissions.appRoles.slice(1).map((r) => r.value),
      roles: [DIRECTORY_ROLES['User Administrator']],
    });
    const { missing, text } = await runHook(url, {}, 'test-token');
    expect(missing).toEqual([permissions.appRoles[0].value, 'Cloud Device Administrator']);
    expect(text).toContain(`-b '{"principalId":"${MI}","resourceId":"${graphSpId}","appRoleId":"${appRoles[0].id}"}'`);
    expect(text).toContain('GRANT_CONTAIN_PERMISSIONS');
    expect(posts).toEqual([]); // no flag, no change
  });

  test('with GRANT_CONTAIN_PERMISSIONS=true it makes the documented requests and reports everything in place', async () => {
    const { url, posts, graphSpId, appRoles } = await start({ held: [], roles: [] });
    const { missing, text } = await runHook(url, { GRANT_CONTAIN_PERMISSIONS: 'true' }, 'test-token');
    expect(missing).toEqual([]);
    expect(text).toContain('All 17 grants are in place.');
    expect(posts).toHaveLength(17);
    expect(posts[0]).toEqual({
      path: `/v1.0/servicePrincipals/${MI}/appRoleAssignments`,
      body: { principalId: MI, resourceId: graphSpId, appRoleId: appRoles[0].id },
    });
    expect(posts[16]).toEqual({
      path: '/v1.0/roleManagement/directory/roleAssignments',
      body: { principalId: MI, roleDefinitionId: DIRECTORY_ROLES['Cloud Device Administrator'], directoryScopeId: '/' },
    });
  });

  test('when Graph refuses (the operator is no role administrator) it says who may, and prints the commands', async () => {
    const { url } = await start({ held: [], roles: [], refuse: true });
    const { missing, text } = await runHook(url, { GRANT_CONTAIN_PERMISSIONS: 'true' }, 'test-token');
    expect(missing).toHaveLength(17);
    expect(text).toContain('Authorization_RequestDenied');
    expect(text).toContain('granting needs a Privileged Role Administrator or Global Administrator');
    expect(text).toContain('az rest -m POST');
  });
});
