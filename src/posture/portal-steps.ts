/**
 * The part of the harmful-user-agent measure with no API: the Defender for Cloud Apps access policy that blocks the
 * tools' user agents in the sessions Conditional Access App Control routes to it. Steps as
 * https://learn.microsoft.com/defender-cloud-apps/access-policy-aad gives them, filled in for this plan.
 */
export function harmfulUserAgentPortalSteps(p: { label: string; pilotGroup: string; exclusionGroup: string; userAgents: string[] }): string[] {
  const agents = p.userAgents.length ? p.userAgents : ['python-requests', 'axios', 'Go-http-client', 'curl'];
  return [
    'In the Microsoft Defender portal (https://security.microsoft.com), open Cloud Apps > Policies > Policy management > Conditional Access.',
    'Select Create policy > Access policy.',
    `Policy name: "Contain ${p.label}: block harmful user agents". Policy severity: High. Category: Access control. Description: "Blocks the attack tools' user agents for the pilot group ${p.pilotGroup}; created with Contain's Conditional Access policy of the same name."`,
    `Under Activities matching all of the following: User > From group > equals "${p.pilotGroup}" (and not "${p.exclusionGroup}"); User agent string > contains any of: ${agents.map((a) => `"${a}"`).join(', ')}; Client app: Browser and Mobile and desktop.`,
    'Under Actions select Audit for the monitoring period (the Conditional Access policy is report-only too); after the review, and Contain\'s Enforce approval, change it to Block.',
    'Under Alerts select "Create an alert for each matching event with the policy\'s severity".',
    'Select Create. Contain cannot check this policy (Defender for Cloud Apps has no API for access policies): note its name in the incident.',
  ];
}
