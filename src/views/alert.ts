/** How an alert-opened incident's card names the reports behind it (both renderers use these). */
export const ALERT_SOURCES: Record<string, string> = {
  identityProtection: 'Entra ID Protection',
  defenderAlerts: 'Defender XDR alert',
  defenderIncidents: 'Defender XDR incident',
};

/** The heading of the alert section: who opened the incident, and who may approve. */
export const ALERT_HEADING = 'Opened by an alert, not a person: any approver may approve';

/** A link into Microsoft's portals, or undefined for anything else (a link on a card must not point elsewhere). */
export function portalUrl(url: string | undefined): string | undefined {
  return url && /^https:\/\/([a-z0-9-]+\.)*microsoft\.com\/[^\s<>()|]*$/i.test(url) ? url : undefined;
}
