import type { MeasureId } from './types';

/**
 * The part of the harmful-user-agent measure with no API: the Defender for Cloud Apps access policy that blocks the
 * tools' user agents in the sessions Conditional Access App Control routes to it. Steps as
 * https://learn.microsoft.com/defender-cloud-apps/access-policy-aad gives them, filled in for this plan.
 */
export function harmfulUserAgentPortalSteps(p: {
  label: string;
  pilotGroup: string;
  exclusionGroup: string;
  userAgents: string[];
}): string[] {
  const agents = p.userAgents.length ? p.userAgents : ['python-requests', 'axios', 'Go-http-client', 'curl'];
  return [
    'In the Microsoft Defender portal (https://security.microsoft.com), open Cloud Apps > Policies > Policy management > Conditional Access.',
    'Select Create policy > Access policy.',
    `Policy name: "Contain ${p.label}: block harmful user agents". Policy severity: High. Category: Access control. Description: "Blocks the attack tools' user agents for the pilot group ${p.pilotGroup}; created with Contain's Conditional Access policy of the same name."`,
    `Under Activities matching all of the following: User > From group > equals "${p.pilotGroup}" (and not "${p.exclusionGroup}"); User agent string > contains any of: ${agents.map((a) => `"${a}"`).join(', ')}; Client app: Browser and Mobile and desktop.`,
    "Under Actions select Audit for the monitoring period (the Conditional Access policy is report-only too); after the review, and Contain's Enforce approval, change it to Block.",
    'Under Alerts select "Create an alert for each matching event with the policy\'s severity".',
    'Select Create. Contain cannot check this policy (Defender for Cloud Apps has no API for access policies): note its name in the incident.',
  ];
}

const ENTRA_CA =
  'In the Microsoft Entra admin center (https://entra.microsoft.com), open Protection > Conditional Access > Policies > New policy.';
const EXCLUDE =
  'Users: Include All users; Exclude the break-glass and protected accounts (CONTAIN_PROTECTED_USERS) and the Directory roles > Directory Synchronization Accounts.';
const REPORT_ONLY =
  'Enable policy: Report-only. Select Create. Check its results in the sign-in logs (Conditional Access > Report-only tab) before setting it to On.';

/**
 * The measure by hand, as the Entra admin center asks for it: what the card shows instead of the Apply button when
 * Contain's app may not make the change (contain doctor), the same settings the API request would send.
 */
export function measurePortalSteps(measure: MeasureId, name: string): string[] {
  const named = `Name: "${name}".`;
  switch (measure) {
    case 'compliantDevice':
      return [
        ENTRA_CA,
        named,
        EXCLUDE,
        'Target resources: All resources (all cloud apps).',
        'Grant: Grant access, tick "Require device to be marked as compliant" and "Require Microsoft Entra hybrid joined device", and choose "Require one of the selected controls".',
        REPORT_ONLY,
      ];
    case 'phishingResistantMfa':
      return [
        ENTRA_CA,
        named,
        EXCLUDE,
        'Target resources: All resources (all cloud apps).',
        'Grant: Grant access, tick "Require authentication strength" and choose "Phishing-resistant MFA".',
        REPORT_ONLY,
      ];
    case 'registrationFromTrustedLocations':
      return [
        ENTRA_CA,
        named,
        `${EXCLUDE.replace('Directory Synchronization Accounts.', 'Directory Synchronization Accounts, and Guest or external users.')}`,
        'Target resources: User actions > "Register security information".',
        'Network: Include Any network or location; Exclude All trusted networks and locations.',
        'Grant: Block access.',
        REPORT_ONLY,
      ];
    case 'blockDeviceCodeFlow':
      return [
        'In Identity > Groups > New group, create the security group "Contain: device code flow allowed" for the users whose devices need the flow (conference rooms, CLI tools); keep it small.',
        ENTRA_CA,
        named,
        `${EXCLUDE} Also exclude the group just created.`,
        'Target resources: All resources (all cloud apps).',
        'Conditions: Authentication flows > Configure: Yes > Device code flow.',
        'Grant: Block access.',
        REPORT_ONLY,
      ];
    case 'userConsentOff':
      return [
        'In the Microsoft Entra admin center, open Identity > Applications > Enterprise applications > Consent and permissions > User consent settings.',
        'User consent for applications: "Do not allow user consent". Save.',
        'Turn on the admin consent workflow (Admin consent settings) so users can ask for apps instead.',
      ];
    case 'usersCannotRegisterApps':
      return [
        'In the Microsoft Entra admin center, open Identity > Users > User settings.',
        '"Users can register applications": No. Save.',
      ];
    case 'harmfulUserAgents':
      return [
        'Run "hunt user-agents": its card offers this measure with a pilot group of the users the attack tools targeted and an exclusion group of the legitimate successes.',
      ];
  }
}
