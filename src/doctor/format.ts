import type { DoctorView } from '../views/types';
import type { DoctorResult } from './run';

/** `--format json`: exactly {"checks": [{"id", "ok", "needs", "enables", "fix"}]}. */
export function doctorJson(r: DoctorResult): string {
  return JSON.stringify({ checks: r.checks.map(({ id, ok, needs, enables, fix }) => ({ id, ok, needs, enables, fix })) }, null, 2) + '\n';
}

/** The default CLI output: one row per check, failures with their fix underneath. */
export function doctorTable(r: DoctorResult): string {
  const failed = r.checks.filter((c) => !c.ok && !c.optional).length;
  const off = r.checks.filter((c) => !c.ok && c.optional).length;
  const lines = [
    `contain doctor: ${r.appId ? `app ${r.appId}` : 'app unknown (AZURE_CLIENT_ID)'}, ${r.checks.length} checks, ${failed ? `${failed} failing` : 'all pass'}${off ? ` (${off} optional off)` : ''}`,
    '',
  ];
  const width = Math.max(...r.checks.map((c) => c.id.length));
  for (const c of r.checks) {
    lines.push(`${c.ok ? 'ok  ' : c.optional ? 'off ' : 'FAIL'}  ${c.id.padEnd(width)}  enables ${c.enables}`);
    if (!c.ok) lines.push(`      needs: ${c.needs}`, `      fix:   ${c.fix}`);
  }
  return lines.join('\n') + '\n';
}

/** The same for people reading a file: failures first. */
export function doctorMarkdown(r: DoctorResult): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = [...r.checks]
    .sort((a, b) => Number(a.ok) - Number(b.ok))
    .map((c) => `| ${c.ok ? 'ok' : '**fail**'} | ${cell(c.id)} | ${cell(c.needs)} | ${cell(c.enables)} | ${c.ok ? '' : cell(c.fix)} |`);
  return [
    `# contain doctor, ${r.at}`,
    '',
    `App: ${r.appId ?? 'unknown'}`,
    '',
    '| | check | needs | enables | fix |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** The chat card's view: failing checks first, with their fix. */
export function doctorView(r: DoctorResult): DoctorView {
  const checks = [...r.checks]
    .sort((a, b) => Number(a.ok) - Number(b.ok))
    .map(({ id, ok, needs, enables, fix }) => ({ id, ok, needs, enables, fix }));
  return {
    kind: 'doctor',
    at: r.at,
    ok: r.checks.every((c) => c.ok || c.optional),
    checks,
    notes: r.appId ? [] : ['Contain does not know its own app id: set AZURE_CLIENT_ID.'],
  };
}
