/** The stages of an intrusion the incident timeline shows, in the order they usually happen. */
export const PHASES = ['phishing', 'access', 'persistence', 'collection', 'mail', 'containment'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_TITLES: Record<Phase, string> = {
  phishing: 'Phishing mail',
  access: 'Initial access and sign-ins',
  persistence: 'Persistence',
  collection: 'Collection',
  mail: 'Mail sent',
  containment: 'Containment',
};

/** The stage a finding belongs to, by category; audit-log activity from the attacker's hand counts as collection. */
export function phaseOf(category: string, source?: string): Phase | undefined {
  if (category === 'phishing-mail') return 'phishing';
  if (
    /^(device-code-phishing|device-code-denied|aitm-session|aitm-officehome|token-replay|harmful-user-agent|impossible-travel|password-spray)$/.test(
      category,
    )
  )
    return 'access';
  if (category === 'attacker-ip' || category === 'attacker-session') return source === 'signin' ? 'access' : 'collection';
  if (/^(inbox-rule|mail-forwarding|consent|mfa-registration|device-registration|flow-created)$/.test(category)) return 'persistence';
  if (category === 'collection' || category === 'mass-delete') return 'collection';
  if (/^(mail-sent|bec-mail|lateral-phishing|sendas-burst)$/.test(category)) return 'mail';
  return undefined;
}

export interface TimelineEvent {
  phase: Phase;
  time: string;
  label: string;
}

/** Per stage: when it began and ended, how many records, and the first one's description. */
export interface PhaseSpan {
  phase: Phase;
  start: string;
  end: string;
  count: number;
  first: string;
}

/** Findings as timeline events (those that belong to a stage). */
export function timelineEvents(findings: { time: string; category: string; reason: string; source?: string }[]): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  for (const f of findings) {
    const phase = phaseOf(f.category, f.source);
    if (phase) out.push({ phase, time: f.time, label: `${f.category}: ${f.reason}` });
  }
  return out.sort((a, b) => a.time.localeCompare(b.time));
}

/** A compact digest of the events per stage: what an incident keeps to draw its timeline from. */
export function phaseSpans(events: TimelineEvent[]): PhaseSpan[] {
  const spans = new Map<Phase, PhaseSpan>();
  for (const e of events) {
    const s = spans.get(e.phase);
    if (!s) spans.set(e.phase, { phase: e.phase, start: e.time, end: e.time, count: 1, first: e.label.slice(0, 200) });
    else {
      s.count++;
      if (e.time < s.start) {
        s.start = e.time;
        s.first = e.label.slice(0, 200);
      }
      if (e.time > s.end) s.end = e.time;
    }
  }
  return PHASES.flatMap((p) => (spans.has(p) ? [spans.get(p)!] : []));
}

/** The lanes of the timeline picture, from single events and/or per-stage digests, with containment apart. */
export function timelineLanes(input: { events?: TimelineEvent[]; spans?: PhaseSpan[]; containment?: { time: string; label: string }[] }): {
  title: string;
  points?: { time: string; label: string }[];
  spans?: { start: string; end: string; count: number; label: string }[];
}[] {
  return PHASES.map((phase) => ({
    title: PHASE_TITLES[phase],
    points:
      phase === 'containment'
        ? (input.containment ?? [])
        : (input.events ?? []).filter((e) => e.phase === phase).map((e) => ({ time: e.time, label: e.label })),
    spans: (input.spans ?? [])
      .filter((s) => s.phase === phase)
      .map((s) => ({ start: s.start, end: s.end, count: s.count, label: s.first })),
  }));
}
