/**
 * The table of Defender alerts that open an incident and those that must not. Titles as Microsoft's products raise
 * them (src/alerts/rules.ts cites the pages); a rule change that flips any row here is a decision, not a refactor.
 */
import { IGNORE_RULES, OPEN_RULES, judgeAlert, type AlertFacts } from '../../src/alerts/rules';

const alert = (title: string, more: Partial<AlertFacts> = {}): AlertFacts => ({
  title,
  severity: 'high',
  status: 'new',
  classification: 'unknown',
  determination: 'unknown',
  ...more,
});
const IDP = { serviceSource: 'azureAdIdentityProtection', detectionSource: 'azureAdIdentityProtection' };
const MDCA = { serviceSource: 'microsoftDefenderForCloudApps', detectionSource: 'cloudAppSecurity' };
const MDO = { serviceSource: 'microsoftDefenderForOffice365', detectionSource: 'microsoftDefenderForOffice365' };

describe('alerts that open an incident', () => {
  test.each<[string, AlertFacts, string]>([
    ['Defender XDR AiTM', alert('Possible AiTM phishing attempt', { severity: 'medium' }), 'aitm'],
    ['stolen session cookie', alert('Stolen session cookie was used', MDCA), 'aitm'],
    ['Identity Protection AiTM', alert('Attacker in the Middle', IDP), 'aitm'],
    ['BEC', alert('BEC financial fraud'), 'bec'],
    ['inbox manipulation', alert('Suspicious inbox manipulation rule', { ...MDCA, severity: 'medium' }), 'inbox-rule'],
    ['inbox forwarding', alert('Suspicious inbox forwarding', { ...MDCA, severity: 'low' }), 'inbox-rule'],
    ['Office 365 forwarding', alert('Suspicious email forwarding activity', MDO), 'inbox-rule'],
    ['anomalous token', alert('Anomalous Token', IDP), 'token-theft'],
    ['token issuer', alert('Token issuer anomaly', IDP), 'token-theft'],
    ['PRT', alert('Possible attempt to access Primary Refresh Token (PRT)', { severity: 'medium' }), 'token-theft'],
    ['password spray that worked (Identity Protection)', alert('Password spray', IDP), 'password-spray-success'],
    ['password spray that worked (title says so)', alert('Successful password spray sign-in'), 'password-spray-success'],
    ['compromised sending', alert('User restricted from sending email', MDO), 'compromised-sending'],
    ['threat intelligence', alert('Microsoft Entra threat intelligence', IDP), 'threat-intelligence'],
    [
      'analyst determination, whatever the title and severity',
      alert('Unfamiliar mailbox activity', {
        severity: 'informational',
        determination: 'compromisedAccount',
        classification: 'truePositive',
      }),
      'confirmed-compromise',
    ],
  ])('%s', (_name, a, rule) => {
    const v = judgeAlert(a);
    expect(v.opens ? v.rule.id : v.why).toBe(rule);
  });
});

describe('alerts that must NOT open an incident', () => {
  test.each<[string, AlertFacts, RegExp]>([
    [
      'a device alert',
      alert('Suspicious execution of hidden file', { serviceSource: 'microsoftDefenderForEndpoint', category: 'DefenseEvasion' }),
      /no rule/,
    ],
    ['unusual location', alert('Activity from infrequent country', MDCA), /location/],
    ['impossible travel', alert('Impossible travel activity', MDCA), /location/],
    ['atypical travel', alert('Atypical travel', IDP), /location/],
    ['anonymous IP', alert('Anonymous IP address', IDP), /location/],
    ['failed logins', alert('Multiple failed login attempts', MDCA), /failed/],
    ['a spray that failed', alert('Suspected password spray attack', { serviceSource: 'microsoftDefenderForIdentity' }), /failed/],
    ['a spray that does not say it worked, from elsewhere', alert('Password spray', MDCA), /no rule/],
    [
      'phishing removed after delivery',
      alert('Email messages containing malicious URL removed after delivery', { ...MDO, severity: 'informational' }),
      /scope/,
    ],
    ['a URL click', alert('A potentially malicious URL click was detected', MDO), /scope/],
    ['leaked credentials', alert('Leaked credentials', IDP), /password change/],
    ['a forwarding rule created', alert('Creation of forwarding/redirect rule', { ...MDO, severity: 'informational' }), /routine/],
    ['AiTM graded a false positive', alert('Possible AiTM phishing attempt', { classification: 'falsePositive' }), /false positive/],
    ['AiTM from a red-team exercise', alert('Possible AiTM phishing attempt', { determination: 'securityTesting' }), /benign/],
    ['AiTM already resolved', alert('Possible AiTM phishing attempt', { status: 'resolved' }), /resolved/],
    ['AiTM rated informational', alert('Possible AiTM phishing attempt', { severity: 'informational' }), /rated informational/],
    ['restricted sending rated low', alert('User restricted from sending email', { ...MDO, severity: 'low' }), /rated low/],
    ['threat intelligence from another product', alert('Threat intelligence match', MDCA), /no rule/],
  ])('%s', (_name, a, why) => {
    const v = judgeAlert(a);
    expect(v.opens).toBe(false);
    expect(v.opens ? '' : v.why).toMatch(why);
  });
});

test('every rule is exercised by a row above, and ids are unique', () => {
  const ids = [...OPEN_RULES, ...IGNORE_RULES].map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(OPEN_RULES.map((r) => r.id).sort()).toEqual([
    'aitm',
    'bec',
    'compromised-sending',
    'confirmed-compromise',
    'inbox-rule',
    'password-spray-success',
    'threat-intelligence',
    'token-theft',
  ]);
  expect(IGNORE_RULES.map((r) => r.id).sort()).toEqual([
    'determined-benign',
    'failed-attempts',
    'graded-benign',
    'leaked-credentials',
    'location-only',
    'mail-received',
    'resolved',
    'routine-forwarding',
  ]);
});
