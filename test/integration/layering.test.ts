import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const eslintBin = join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** Lint source text as if it lived at filePath, with the project's real ESLint config, in a child process. */
function lintAs(filePath: string, code: string): string[] {
  const r = spawnSync(process.execPath, [eslintBin, '--stdin', '--stdin-filename', filePath, '--format', 'json'], {
    cwd: root,
    input: code,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(r.stdout) as { messages: { ruleId: string }[] }[];
  return result.messages.map((m) => m.ruleId);
}

/** The layering rule is only worth having if it fires: lint imaginary files in src/ and cards/. */
describe('src/ and cards/ import no chat platform package', () => {
  test.each([
    ['src/incidents/bad.ts', "import { CloudAdapter } from 'botbuilder';\nexport const x = CloudAdapter;\n"],
    ['cards/bad.ts', "import { App } from '@slack/bolt';\nexport const x = App;\n"],
    ['src/bad.ts', "import { app } from '@azure/functions';\nexport const x = app;\n"],
    ['src/bad2.ts', "import { route } from '../bot/router';\nexport const x = route;\n"],
    ['src/telemetry/bad.ts', "import { useAzureMonitor } from '@azure/monitor-opentelemetry';\nexport const x = useAzureMonitor;\n"],
    ['src/telemetry/bad2.ts', "import { NodeSDK } from '@opentelemetry/sdk-node';\nexport const x = NodeSDK;\n"],
  ])('%s is rejected', (filePath, code) => {
    expect(lintAs(filePath, code)).toContain('no-restricted-imports');
  });

  test('src/ may record telemetry through @opentelemetry/api', () => {
    expect(lintAs('src/telemetry/ok.ts', "import { trace } from '@opentelemetry/api';\nexport const x = trace;\n")).not.toContain(
      'no-restricted-imports',
    );
  });

  test('bot/ may import botbuilder', () => {
    expect(lintAs('bot/teams/ok.ts', "import { CloudAdapter } from 'botbuilder';\nexport const x = CloudAdapter;\n")).not.toContain(
      'no-restricted-imports',
    );
  });
});
