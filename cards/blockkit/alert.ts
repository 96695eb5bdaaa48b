import { ALERT_HEADING, ALERT_SOURCES, portalUrl } from '../../src/views/alert';
import { formatUtc } from '../../src/views/time';
import type { ContainmentView } from '../../src/views/types';
import { escapeSlack as esc } from '../text';
import { linkUrl, sections, type Block } from './blocks';

/** The reports behind an alert-opened incident: what fired, how severe, when, why it counts, where to see it. */
export function alertBlocks(v: ContainmentView): Block[] {
  if (!v.alert) return [];
  const lines = v.alert.signals.map((s) => {
    const url = portalUrl(s.url);
    return `• *${esc(s.title)}* · ${esc(s.severity)} · ${ALERT_SOURCES[s.source] ?? esc(s.source)} · ${formatUtc(s.at)}: ${esc(s.reason)}${url ? ` · <${linkUrl(url)}|open>` : ''}`;
  });
  return sections([`:rotating_light: *${ALERT_HEADING}*`, ...lines]);
}
