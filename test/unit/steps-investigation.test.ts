import { join } from 'node:path';
import { readRecords } from '../../src/investigate/reader';
import type { LogRecord } from '../../src/investigate/record';
import { investigationSteps } from '../../src/playbook/registry';
import { directoryAuditPath } from '../../src/playbook/steps/common';
import { analyzeLogs, investigationSummary, logReads, UAL_OPERATIONS } from '../../src/playbook/steps/08-logs';
import { otherRecipients, phishingMail, type MailCopy } from '../../src/playbook/steps/09-other-recipients';
import {
  attackerTraits,
  judgeRecipient,
  recipientSignIns,
  RECIPIENTS_PER_QUERY,
  signInQueries,
} from '../../src/playbook/steps/10-recipient-signins';

const ALICE = { id: 'a11ce000-0000-4000-8000-000000000001', userPrincipalName: 'alice.aoki@contoso.example' };
const logs = (...files: string[]) => files.map((f) => () => readRecords(join(__dirname, '..', 'fixtures', 'logs', f)));

test('steps 8-10 are run by investigate and scope', () => {
  expect(investigationSteps.map((s) => [s.number, s.command])).toEqual([
    [8, 'investigate'],
    [9, 'scope'],
    [10, 'scope'],
  ]);
});

describe('step 8: sign-in and audit logs', () => {
  test('reads the sign-ins and the directory audit of the window (the same audit read as steps 3 and 7) and the mail-relevant UAL operations', () => {
    const reads = logReads(ALICE.id, '2026-11-23T00:00:00Z');
    expect(decodeURIComponent(reads.signIns)).toContain(`userId eq '${ALICE.id}' and createdDateTime ge 2026-11-23T00:00:00Z`);
    expect(reads.directoryAudit).toBe(directoryAuditPath(ALICE.id, '2026-11-23T00:00:00Z'));
    expect(UAL_OPERATIONS).toEqual(expect.arrayContaining(['New-InboxRule', 'MailItemsAccessed', 'Consent to application.']));
  });

  test("Alice's exported logs: the intrusion's findings, the attacker's addresses, her own address cleared", async () => {
    const r = await analyzeLogs(logs('ual-purview.csv', 'signins-page1.json', 'directory-audits.json'));
    expect(r.findings.map((f) => f.category)).toEqual(
      expect.arrayContaining(['aitm-session', 'consent', 'inbox-rule', 'mfa-registration', 'device-registration']),
    );
    expect(r.findings.every((f) => f.verdict === 'malicious')).toBe(true);
    expect(r.iocs.ips).toEqual(['152.42.161.220', '240b:10:32c1:ab00:857:889:3734:e93']);
    const kept = investigationSummary(r, ALICE.userPrincipalName, ['a note'], []);
    expect(kept).toMatchObject({ records: r.records, more: 0, notes: ['a note'], cleared: ['203.0.113.10'] });
    expect(kept.findings).toHaveLength(r.findings.length);
  });

  test('what the incident keeps is capped: 30 findings (the rest counted), 300 characters a reason', async () => {
    const r = await analyzeLogs(logs('ual-purview.csv'));
    const many = { ...r, findings: Array.from({ length: 45 }, (_, i) => ({ ...r.findings[0], id: `f${i}`, reason: 'x'.repeat(400) })) };
    const kept = investigationSummary(many, ALICE.userPrincipalName, [], undefined);
    expect([kept.findings.length, kept.more, kept.findings[0].reason.length]).toEqual([30, 15, 300]);
  });
});

const copy = (recipient: string, time: string, extra: Partial<MailCopy> = {}): MailCopy => ({
  time,
  sender: 'it@phish.example',
  recipient,
  subject: 'Password expiry',
  ...extra,
});

describe('step 9: the phishing mail and its other recipients', () => {
  const inbound = [
    copy(ALICE.userPrincipalName, '2026-11-22T08:00:00Z', { sender: 'news@contoso.example', urlCount: 3 }),
    copy(ALICE.userPrincipalName, '2026-11-22T09:00:00Z', { urlCount: 1, messageId: '<p1@phish.example>' }),
    copy(ALICE.userPrincipalName, '2026-11-22T10:00:00Z', { sender: 'boss@contoso.example', urlCount: 0 }),
  ];

  test('the newest mail with links (advanced hunting), the newest from outside (message trace), or the one named', () => {
    expect(phishingMail(inbound, { named: false, countsLinks: true, userDomain: 'contoso.example' })?.messageId).toBe('<p1@phish.example>');
    expect(phishingMail(inbound, { named: false, countsLinks: false, userDomain: 'contoso.example' })?.messageId).toBe(
      '<p1@phish.example>',
    );
    expect(phishingMail([inbound[2]], { named: true, countsLinks: true, userDomain: 'contoso.example' })?.sender).toBe(
      'boss@contoso.example',
    );
    expect(phishingMail([inbound[2]], { named: false, countsLinks: true, userDomain: 'contoso.example' })).toBeUndefined();
  });

  test('one row per person, their first copy; the user is left out by UPN or object id', () => {
    const copies = [
      copy('erin.evans@contoso.example', '2026-11-22T09:05:00Z'),
      copy('Erin.Evans@contoso.example', '2026-11-22T09:01:00Z'),
      copy('ALICE.AOKI@contoso.example', '2026-11-22T09:00:00Z'),
      copy('alias@contoso.example', '2026-11-22T09:00:00Z', { recipientId: ALICE.id.toUpperCase() }),
      copy('frank.fischer@contoso.example', '2026-11-22T09:02:00Z'),
    ];
    const { others, reached } = otherRecipients(copies, ALICE);
    expect(others.map((o) => [o.recipient, o.time])).toEqual([
      ['Erin.Evans@contoso.example', '2026-11-22T09:01:00Z'],
      ['frank.fischer@contoso.example', '2026-11-22T09:02:00Z'],
    ]);
    expect(reached).toBe(4);
  });
});

const signIn = (time: string, extra: Partial<LogRecord> = {}): LogRecord => ({
  id: time,
  source: 'signin',
  time,
  user: 'x',
  ip: '198.51.100.7',
  operation: 'UserLoggedIn',
  details: {},
  ...extra,
});

describe("step 10: the other recipients' sign-ins", () => {
  test("the attacker's traits come from the user's risky or unknown-device sign-ins; her home network is not one", () => {
    const own = [
      signIn('2026-11-22T09:30:00Z', {
        ip: '152.42.161.220',
        asn: 14061,
        userAgent: 'evil-ua',
        details: { riskLevelDuringSignIn: 'high' },
      }),
      signIn('2026-11-22T09:20:00Z', { ip: '203.0.113.99', asn: 64500 }),
      signIn('2026-11-22T08:00:00Z', { ip: '203.0.113.10', asn: 64500, deviceId: 'known' }),
    ];
    const t = attackerTraits(own);
    expect([...t.ips]).toEqual(['203.0.113.99', '152.42.161.220']);
    expect([...t.asns]).toEqual([14061]);
    expect([...t.userAgents]).toEqual(['evil-ua']);
    expect(t.firstSeen).toBe('2026-11-22T09:20:00Z');
  });

  test('recipients are queried in groups, each from an hour before its first receipt to a day after its last', () => {
    const others = Array.from({ length: RECIPIENTS_PER_QUERY + 1 }, (_, i) =>
      copy(`u${i}@contoso.example`, `2026-11-22T09:${String(i).padStart(2, '0')}:00Z`, i === 0 ? { recipientId: 'id-0' } : {}),
    );
    const queries = signInQueries(others);
    expect(queries.map((q) => q.recipients.length)).toEqual([RECIPIENTS_PER_QUERY, 1]);
    const first = decodeURIComponent(queries[0].path);
    expect(first).toContain("(userId eq 'id-0' or userPrincipalName eq 'u1@contoso.example'");
    expect(first).toContain('createdDateTime ge 2026-11-22T08:00:00Z and createdDateTime le 2026-11-23T09:14:00Z');
  });

  test("a recipient's own sign-ins in their window, flagged for the attacker's IP, network, user agent or an AiTM replay", () => {
    const r = copy('erin.evans@contoso.example', '2026-11-22T09:00:00Z');
    const group = [
      { raw: { userPrincipalName: 'erin.evans@contoso.example' }, rec: signIn('2026-11-22T09:10:00Z', { ip: '152.42.161.220' }) },
      {
        raw: { userPrincipalName: 'ERIN.EVANS@contoso.example' },
        rec: signIn('2026-11-22T09:20:00Z', { ip: '198.51.100.77', app: 'OfficeHome' }),
      },
      { raw: { userPrincipalName: 'erin.evans@contoso.example' }, rec: signIn('2026-11-24T09:20:00Z', { ip: '152.42.161.220' }) },
      { raw: { userPrincipalName: 'frank.fischer@contoso.example' }, rec: signIn('2026-11-22T09:10:00Z', { ip: '152.42.161.220' }) },
    ];
    const mine = recipientSignIns(r, group);
    expect(mine.map((s) => s.time)).toEqual(['2026-11-22T09:10:00Z', '2026-11-22T09:20:00Z']);
    const reasons = judgeRecipient(mine, { ips: new Set(['152.42.161.220']), asns: new Set(), userAgents: new Set() });
    expect(reasons).toEqual([
      "signed in from the attacker's IP 152.42.161.220 at 2026-11-22 09:10 UTC",
      'OfficeHome sign-in without a device id from 198.51.100.77 (AiTM pattern)',
    ]);
    expect(
      judgeRecipient([signIn('2026-11-22T09:10:00Z', { asn: 14061, userAgent: 'evil-ua', deviceId: 'd' })], {
        ips: new Set(),
        asns: new Set([14061]),
        userAgents: new Set(['evil-ua']),
      }),
    ).toEqual([
      "signed in from the attacker's network AS14061 (198.51.100.7) at 2026-11-22 09:10 UTC",
      "signed in with the attacker's user agent",
    ]);
  });
});
