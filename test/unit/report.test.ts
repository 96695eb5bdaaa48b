import { render } from '../../src/incidents/report';
import type { AuditEntry, Incident, SignInFact } from '../../src/incidents/model';

const OFFICE = '203.0.113.40';
const ATTACKER = '45.86.200.15';
const signIn = (time: string, ip: string, f: Partial<SignInFact> = {}): SignInFact => ({
  time,
  ip,
  location: 'Tokyo, JP',
  app: 'Microsoft Office',
  client: 'Edge',
  risk: 'none',
  success: true,
  deviceKnown: true,
  ...f,
});

function incident(): Incident {
  return {
    id: 'INC-20261009-0001',
    createdAt: '2026-10-09T10:30:00Z',
    requester: { platform: 'teams', id: '29:soc', name: 'Parker' },
    target: { id: 'u-mika', displayName: 'Mika Sato', userPrincipalName: 'mika.sato@tailspin.example' },
    state: 'contained',
    dryRun: false,
    threads: {},
    facts: {
      notes: [],
      signIns: [
        signIn('2026-10-08T09:00:00Z', OFFICE),
        // The device code typed at the office: no device id on that sign-in, and a failed one before it.
        signIn('2026-10-09T09:00:00Z', OFFICE, { deviceKnown: false }),
        signIn('2026-10-09T08:58:00Z', OFFICE, { success: false }),
        signIn('2026-10-09T09:01:00Z', ATTACKER, { deviceKnown: false, risk: 'medium', location: 'Amsterdam, NL' }),
      ],
      investigation: {
        at: '2026-10-09T10:00:00Z',
        records: 199,
        findings: [
          {
            time: '2026-10-09T09:00:00Z',
            verdict: 'malicious',
            category: 'device-code-phishing',
            reason: 'device code sign-in to Microsoft Office: the code was entered from 203.0.113.40',
            ip: OFFICE,
          },
        ],
        more: 15,
        iocs: { ips: [ATTACKER], userAgents: [], sessionIds: [] },
        notes: [],
        cleared: [OFFICE],
        attackerActivity: {
          mailRead: ['<q4-budget-1@tailspin.example>'],
          searches: ['password'],
          files: ['https://tailspin.sharepoint.com/sites/finance/Shared Documents/Payroll-2026.xlsx'],
          mailSent: ['<lateral@tailspin.example>'],
          foldersSynced: [],
          counts: { mailRead: 4, searches: 1, files: 1, mailSent: 1, foldersSynced: 0 },
        },
        timeline: [
          {
            phase: 'phishing',
            start: '2026-10-09T08:35:00Z',
            end: '2026-10-09T08:35:00Z',
            count: 2,
            first: 'phishing-mail: "Invitation: Q4 budget review"',
          },
          { phase: 'access', start: '2026-10-09T09:00:00Z', end: '2026-10-09T12:00:00Z', count: 4, first: 'device-code-phishing: …' },
          {
            phase: 'collection',
            start: '2026-10-09T09:05:00Z',
            end: '2026-10-09T09:14:00Z',
            count: 5,
            first: 'collection: MailItemsAccessed …',
          },
        ],
      },
    },
  };
}

const audit: AuditEntry[] = [
  { at: '2026-10-09T10:40:00Z', event: 'action.succeeded', details: { title: 'Revoke all sessions of Mika Sato' } },
];

test('the office address that typed the device code is not an indicator in the report, however its sign-ins looked', () => {
  const r = render(incident(), [], audit);
  expect(r.view.iocs.ips).toEqual([ATTACKER]);
  expect(r.markdown).toContain(`- IP addresses: \`${ATTACKER}\``);
});

test('the report lists what the attacker touched and shows the timeline picture, containment included', () => {
  const r = render(incident(), [], audit);
  expect(r.markdown).toMatch(
    /## What the attacker touched\n\n- Mail read \(Internet message ids\): 4 \(the first 1 here, all in the investigation's full result\)\n {2}- \\<q4-budget-1@tailspin\.example\\>/,
  );
  expect(r.markdown).toContain('- Searches: 1\n  - password');
  expect(r.markdown).toMatch(/!\[Incident INC-20261009-0001 timeline\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/);
  expect(r.svg).toContain('Revoke all sessions of Mika Sato');
  expect(r.svg).toContain('>Containment</text>');
});

test('an incident nobody investigated still reports the sign-ins, and no picture without anything to draw', () => {
  const i = incident();
  delete i.facts.investigation;
  const r = render(i, [], []);
  expect(r.view.iocs.ips).toEqual([ATTACKER]);
  expect(r.markdown).not.toContain('## What the attacker touched');
  i.facts.signIns = [];
  expect(render(i, [], []).svg).toBeUndefined();
});
