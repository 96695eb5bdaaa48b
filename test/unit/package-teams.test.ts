import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import Ajv7 from 'ajv';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { parse } from 'yaml';
import { bicepInterface, parameterNames } from '../helpers/bicep';

const root = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const BOT_ID = '11111111-2222-4333-8444-555555555555';

/** Microsoft's published v1.17 manifest schema (draft-04), checked the way Microsoft's @microsoft/app-manifest does. */
function manifestSchema() {
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  return ajv.compile(JSON.parse(read('test/fixtures/schemas/MicrosoftTeams.v1.17.schema.json')));
}

function packageTeams(env: Record<string, string | undefined>) {
  const clean = { ...process.env };
  for (const k of ['BOT_ID', 'MicrosoftAppId', 'MICROSOFT_APP_ID', 'BOT_DOMAIN', 'TEAMS_APP_ID', 'TEAMS_DEVELOPER_NAME']) delete clean[k];
  return spawnSync(process.execPath, ['scripts/package-teams.js'], { cwd: root, env: { ...clean, ...env }, encoding: 'utf8' });
}

function png(buf: Uint8Array) {
  return PNG.sync.read(Buffer.from(buf));
}

describe('npm run package:teams (appPackage/, with fflate)', () => {
  test('builds a zip whose manifest validates against the published 1.17 schema, with the ids from env and both icons', () => {
    const r = packageTeams({ MicrosoftAppId: BOT_ID, BOT_DOMAIN: 'https://contain-test.azurewebsites.net/' });
    expect(r.status).toBe(0);
    const files = unzipSync(readFileSync(join(root, 'dist/teams/contain-teams.zip')));
    expect(Object.keys(files)).toEqual(['manifest.json', 'color.png', 'outline.png']);
    const m = JSON.parse(Buffer.from(files['manifest.json']).toString());
    const validate = manifestSchema();
    expect(validate(m) ? [] : validate.errors).toEqual([]);
    expect(m.manifestVersion).toBe('1.17');
    expect(m.$schema).toContain('/teams/v1.17/');
    expect(m.id).toBe(BOT_ID);
    expect(m.bots[0].botId).toBe(BOT_ID);
    expect(m.validDomains).toEqual(['contain-test.azurewebsites.net']);
    expect(m.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title)).toEqual([
      'contain',
      'investigate',
      'scope',
      'hunt',
      'status',
      'report',
      'posture',
      'help',
    ]);
    // The zip carries the committed icon files unchanged.
    expect(Buffer.from(files['color.png']).equals(readFileSync(join(root, 'appPackage/color.png')))).toBe(true);
    expect(Buffer.from(files['outline.png']).equals(readFileSync(join(root, 'appPackage/outline.png')))).toBe(true);
  });

  test("takes the Agents Toolkit's names too: BOT_ID, and TEAMS_APP_ID for the app's own id", () => {
    const r = packageTeams({
      BOT_ID,
      BOT_DOMAIN: 'c.example',
      TEAMS_APP_ID: '99999999-2222-4333-8444-555555555555',
      TEAMS_DEVELOPER_NAME: 'Contoso SOC',
    });
    expect(r.status).toBe(0);
    const m = JSON.parse(Buffer.from(unzipSync(readFileSync(join(root, 'dist/teams/contain-teams.zip')))['manifest.json']).toString());
    expect([m.id, m.bots[0].botId, m.developer.name]).toEqual(['99999999-2222-4333-8444-555555555555', BOT_ID, 'Contoso SOC']);
  });

  test('the schema check has teeth: a manifest with a bad bot id or a missing icon is refused', () => {
    const m = JSON.parse(
      read('appPackage/manifest.json')
        .replace(/\$\{\{BOT_DOMAIN\}\}/g, 'c.example')
        .replace('${{TEAMS_DEVELOPER_NAME}}', 'Contoso SOC')
        .replace(/\$\{\{ *\w+ *\}\}/g, BOT_ID),
    );
    const validate = manifestSchema();
    expect(validate(m)).toBe(true);
    expect(validate({ ...m, bots: [{ ...m.bots[0], botId: 'not-a-guid' }] })).toBe(false);
    expect(validate({ ...m, icons: { color: 'color.png' } })).toBe(false);
  });

  test('refuses to build without the bot app id, naming what is missing', () => {
    const r = packageTeams({ BOT_DOMAIN: 'x.example' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('BOT_ID');
  });
});

describe('appPackage/ icons (Teams: colour 192x192, outline 32x32 white on transparent)', () => {
  test('colour icon is 192x192 and fully opaque', () => {
    const icon = png(readFileSync(join(root, 'appPackage/color.png')));
    expect([icon.width, icon.height]).toEqual([192, 192]);
    const transparent = icon.data.filter((_v, i) => i % 4 === 3 && icon.data[i] !== 255).length;
    expect(transparent).toBe(0);
  });

  test('outline icon is 32x32, and every visible pixel is white', () => {
    const icon = png(readFileSync(join(root, 'appPackage/outline.png')));
    expect([icon.width, icon.height]).toEqual([32, 32]);
    let visible = 0;
    const offenders: number[] = [];
    for (let i = 0; i < icon.data.length; i += 4) {
      if (icon.data[i + 3] === 0) continue;
      visible++;
      if (icon.data[i] !== 255 || icon.data[i + 1] !== 255 || icon.data[i + 2] !== 255) offenders.push(i / 4);
    }
    expect(offenders).toEqual([]);
    expect(visible).toBeGreaterThan(100); // a drawing, not an empty square
    expect(visible).toBeLessThan(32 * 32 * 0.8); // and transparent around it
  });
});

describe('m365agents.yml (Microsoft 365 Agents Toolkit project)', () => {
  const project = parse(read('m365agents.yml')) as {
    provision: { uses: string; with: Record<string, unknown> }[];
    deploy: { uses: string; with: Record<string, string> }[];
  };

  test("validates against the toolkit's published v1.8 schema", () => {
    const ajv = new Ajv7({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(read('test/fixtures/schemas/m365agents.yaml.v1.8.schema.json')));
    expect(validate(project) ? [] : validate.errors).toEqual([]);
    expect(validate({ ...project, provision: [{ uses: 'teamsApp/create', with: {} }] })).toBe(false);
  });

  test('every ${{VAR}} it, the manifest and the parameters use is in env/.env.dev or written by provision', () => {
    const declared = new Set(
      read('env/.env.dev')
        .split('\n')
        .filter((l) => /^\w+=/.test(l))
        .map((l) => l.split('=')[0]),
    );
    const outputs = bicepInterface(join(root, 'infra/main.bicep')).outputs;
    const written = new Set(['TEAMS_APP_ID', 'TEAMS_APP_PUBLISHED_APP_ID', ...outputs]);
    const used = ['m365agents.yml', 'appPackage/manifest.json', 'infra/m365agents.parameters.json'].flatMap((f) =>
      [...read(f).matchAll(/\$\{\{ *(\w+) *\}\}/g)].map((m) => m[1]),
    );
    expect(used.filter((v) => !declared.has(v) && !written.has(v))).toEqual([]);
    // Written values are listed (empty) in env/.env.dev too, so the file documents the environment.
    expect(['BOT_ID', 'BOT_DOMAIN', 'FUNCTION_APP_NAME', 'MANAGED_IDENTITY_PRINCIPAL_ID'].filter((v) => !declared.has(v))).toEqual([]);
  });

  test('provisions with main.bicep and a parameter file that sets only what main.bicep declares, every required one', () => {
    const arm = project.provision.find((a) => a.uses === 'arm/deploy')!;
    const [template] = arm.with.templates as { path: string; parameters: string }[];
    expect(template.path).toBe('./infra/main.bicep');
    const main = bicepInterface(join(root, 'infra/main.bicep'));
    const names = parameterNames(join(root, template.parameters));
    expect(names.filter((n) => !main.params.has(n))).toEqual([]);
    expect([...main.params].filter(([n, p]) => !p.hasDefault && !names.includes(n))).toEqual([]);
  });

  test('runs the post-provision hook, and deploys the staged package the way Flex Consumption accepts', () => {
    expect(project.provision.some((a) => a.uses === 'script' && a.with.run === 'node infra/hooks/postprovision.js')).toBe(true);
    const deploy = project.deploy.map((a) => a.with.args ?? a.with.run);
    expect(deploy).toEqual([
      'ci',
      'run package:functions',
      expect.stringMatching(/^az functionapp deployment source config-zip .* --src dist\/functionapp\.zip$/),
    ]);
    expect(JSON.parse(read('package.json')).scripts['package:functions']).toContain('--zip');
  });

  test('the manifest version follows package.json (bump both when the manifest changes)', () => {
    expect(JSON.parse(read('appPackage/manifest.json')).version).toBe(JSON.parse(read('package.json')).version);
  });
});
