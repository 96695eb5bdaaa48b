/**
 * Which Defender XDR alerts mean "this account is compromised: contain it". Titles, products and enum values follow
 * Microsoft's documentation:
 * - alert resource (serviceSource, detectionSource, classification, determination, status, severity):
 *   https://learn.microsoft.com/graph/api/resources/security-alert
 * - Entra ID Protection detections (Anomalous token, Token issuer anomaly, Attacker in the Middle, Password spray,
 *   Suspicious inbox manipulation rules, Microsoft Entra threat intelligence; Leaked credentials, Atypical travel,
 *   Anonymous IP address, Unfamiliar sign-in properties are weaker):
 *   https://learn.microsoft.com/entra/id-protection/concept-identity-protection-risks
 * - Defender XDR attack disruption for AiTM and BEC ("Possible AiTM phishing attempt", "Stolen session cookie was
 *   used", "BEC financial fraud"): https://learn.microsoft.com/defender-xdr/automatic-attack-disruption
 * - Defender for Cloud Apps anomaly policies ("Suspicious inbox manipulation rule", "Suspicious inbox forwarding",
 *   "Impossible travel", "Activity from infrequent country", "Multiple failed login attempts"):
 *   https://learn.microsoft.com/defender-cloud-apps/anomaly-detection-policy
 * - Defender for Office 365 alert policies ("User restricted from sending email", "Suspicious email sending
 *   patterns detected", "Creation of forwarding/redirect rule", "Email messages containing malicious URL removed
 *   after delivery"): https://learn.microsoft.com/defender-office-365/alert-policies-defender-portal
 * Titles change and new ones appear: the rules match words, not exact titles, and an alert no rule knows opens nothing
 * (it stays in Defender's queue, where the SOC sees it anyway).
 */

/** What the rules read of one Defender alert (a subset of microsoft.graph.security.alert). */
export interface AlertFacts {
  title: string;
  severity: string;
  status?: string;
  classification?: string;
  determination?: string;
  category?: string;
  serviceSource?: string;
  detectionSource?: string;
}

const SEVERITY = ['unknown', 'informational', 'low', 'medium', 'high'];
const atLeast = (a: AlertFacts, min: string) => SEVERITY.indexOf(a.severity) >= SEVERITY.indexOf(min);
const fromIdentityProtection = (a: AlertFacts) =>
  a.serviceSource === 'azureAdIdentityProtection' || a.detectionSource === 'azureAdIdentityProtection';

/** A kind of alert that opens an incident for the users in its evidence. */
export interface OpenRule {
  id: string;
  /** What the card says the alert shows. */
  name: string;
  /** The lowest severity that opens (Defender's own rating of the alert). */
  minSeverity: 'informational' | 'low' | 'medium' | 'high';
  matches(a: AlertFacts): boolean;
}

/** A kind of alert that never opens one, whatever else it says, and why. */
export interface IgnoreRule {
  id: string;
  why: string;
  matches(a: AlertFacts): boolean;
}

/** Checked first: an alert matching one of these opens nothing. */
export const IGNORE_RULES: IgnoreRule[] = [
  {
    id: 'graded-benign',
    why: 'an analyst graded it a false positive or expected activity',
    matches: (a) => ['falsePositive', 'informationalExpectedActivity'].includes(a.classification ?? ''),
  },
  {
    id: 'determined-benign',
    why: 'an analyst determined it benign (testing, security staff, confirmed user activity, line-of-business app, not malicious)',
    matches: (a) =>
      [
        'notMalicious',
        'clean',
        'notEnoughDataToValidate',
        'insufficientData',
        'securityTesting',
        'securityPersonnel',
        'confirmedActivity',
        'confirmedUserActivity',
        'lineOfBusinessApplication',
      ].includes(a.determination ?? ''),
  },
  { id: 'resolved', why: 'it is resolved in Defender: someone already dealt with it', matches: (a) => a.status === 'resolved' },
  {
    id: 'failed-attempts',
    why: "failed sign-in attempts are not an account in the attacker's hands",
    matches: (a) => /multiple failed|failed (log-?in|sign-?in)|brute[- ]?force|suspected password spray/i.test(a.title),
  },
  {
    id: 'location-only',
    why: "an unusual location or network alone is not a compromise (Identity Protection raises the user's risk when it is)",
    matches: (a) =>
      /impossible travel|atypical travel|infrequent country|new country|anonymous ip|unfamiliar sign-in properties/i.test(a.title),
  },
  {
    id: 'mail-received',
    why: 'a phishing mail received, removed or clicked is scope (`scope <user>`), not a compromised account',
    matches: (a) =>
      /removed after delivery|email messages containing|reported by user as|malicious url (was )?click|url click/i.test(a.title),
  },
  {
    id: 'leaked-credentials',
    why: 'leaked credentials call for a password change, not containment: the account was not seen in use',
    matches: (a) => /leaked credentials/i.test(a.title),
  },
  {
    id: 'routine-forwarding',
    why: 'creating a forwarding rule is routine; the suspicious ones come as "Suspicious inbox forwarding"',
    matches: (a) => /creation of forwarding\/redirect rule/i.test(a.title),
  },
];

/** Checked in order after the ignore rules: the first that matches (at its severity or above) opens. */
export const OPEN_RULES: OpenRule[] = [
  {
    id: 'confirmed-compromise',
    name: 'an analyst determined the account compromised',
    minSeverity: 'informational',
    matches: (a) => ['compromisedAccount', 'compromisedUser'].includes(a.determination ?? ''),
  },
  {
    id: 'aitm',
    name: 'adversary-in-the-middle phishing: a stolen session',
    minSeverity: 'low',
    matches: (a) => /\baitm\b|(adversary|attacker)[- ]in[- ]the[- ]middle|stolen session cookie/i.test(a.title),
  },
  { id: 'bec', name: 'business email compromise', minSeverity: 'low', matches: (a) => /\bBEC\b|business email compromise/i.test(a.title) },
  {
    id: 'inbox-rule',
    name: 'suspicious inbox rule or forwarding (mail hidden or sent out)',
    minSeverity: 'low',
    matches: (a) =>
      /suspicious inbox (manipulation|forwarding)|inbox manipulation rule|suspicious (e-?mail )?forwarding|malicious inbox rule/i.test(
        a.title,
      ),
  },
  {
    id: 'token-theft',
    name: 'token theft or replay',
    minSeverity: 'low',
    matches: (a) => /anomalous token|token issuer anomaly|token theft|stolen (access |refresh )?token|primary refresh token/i.test(a.title),
  },
  // Identity Protection's "Password spray" is raised on an account whose password was validated in the spray; other
  // products' spray alerts count failures, which the ignore rules take first.
  {
    id: 'password-spray-success',
    name: 'password spray that got the password right',
    minSeverity: 'low',
    matches: (a) => /password spray/i.test(a.title) && (fromIdentityProtection(a) || /success/i.test(a.title)),
  },
  {
    id: 'compromised-sending',
    name: 'the mailbox sends like a compromised one (restricted or suspicious sending)',
    minSeverity: 'medium',
    matches: (a) => /user restricted from sending|suspicious (e-?mail )?sending patterns/i.test(a.title),
  },
  {
    id: 'threat-intelligence',
    name: 'Microsoft threat intelligence ties the sign-ins to a known attacker',
    minSeverity: 'high',
    matches: (a) => fromIdentityProtection(a) && /threat intelligence|verified threat actor/i.test(a.title),
  },
];

export type Verdict = { opens: true; rule: OpenRule } | { opens: false; why: string };

/** Whether this alert opens an incident for its users, by the first matching rule. */
export function judgeAlert(a: AlertFacts): Verdict {
  const ignored = IGNORE_RULES.find((r) => r.matches(a));
  if (ignored) return { opens: false, why: ignored.why };
  const rule = OPEN_RULES.find((r) => r.matches(a));
  if (!rule) return { opens: false, why: 'no rule names it as account compromise' };
  if (!atLeast(a, rule.minSeverity))
    return { opens: false, why: `${rule.name}, but rated ${a.severity} (opens at ${rule.minSeverity} or above)` };
  return { opens: true, rule };
}
