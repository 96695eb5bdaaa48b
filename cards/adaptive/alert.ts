import { ALERT_HEADING, ALERT_SOURCES, portalUrl } from '../../src/views/alert';
import { formatUtc } from '../../src/views/time';
import type { ContainmentView } from '../../src/views/types';
import { escapeMarkdown as md } from '../text';
import { text, type Element } from './types';

/** The reports behind an alert-opened incident: what fired, how severe, when, why it counts, where to see it. */
export function alertElements(v: ContainmentView): Element[] {
  if (!v.alert) return [];
  return [
    text(ALERT_HEADING, { weight: 'Bolder', spacing: 'Medium', color: 'Attention' }),
    ...v.alert.signals.map((s) => {
      const url = portalUrl(s.url);
      return text(
        `${md(s.title)} · ${md(s.severity)} · ${ALERT_SOURCES[s.source] ?? md(s.source)} · ${formatUtc(s.at)}: ${md(s.reason)}${url ? ` · [open](${url})` : ''}`,
        { size: 'Small', spacing: 'Small' },
      );
    }),
  ];
}
