/**
 * The incident timeline as an SVG picture: one lane per stage (phishing mail, access, persistence, collection, mail
 * sent, containment) on one UTC time axis. Written by hand (no charting dependency); every piece of text comes from
 * logs an attacker can write to (subjects, rule names, user agents), so all of it is escaped and the picture has no
 * scripts, styles, links or external references.
 */
import { formatUtc, formatMinute } from './time';

export interface TimelineLane {
  title: string;
  /** Single records: a dot each (dots closer than a few pixels merge and say how many). */
  points?: { time: string; label: string }[];
  /** Stretches known only as first / last / how many (an incident's digest of an investigation). */
  spans?: { start: string; end: string; count: number; label: string }[];
}

const COLORS = ['#b45309', '#b91c1c', '#7c3aed', '#1d4ed8', '#be185d', '#15803d', '#475569'];
const WIDTH = 960;
const LEFT = 200;
const RIGHT = 40;
const TOP = 48;
const LANE = 46;

/** Text for an SVG text node or attribute: markup characters escaped, characters XML forbids and bidi controls dropped. */
export function xmlText(s: string, max = 400): string {
  const clean = s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF\u202A-\u202E\u2066-\u2069]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
  const cut = clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
  return cut.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STEPS = [
  60_000,
  5 * 60_000,
  15 * 60_000,
  3_600_000,
  3 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
  86_400_000,
  2 * 86_400_000,
  7 * 86_400_000,
  30 * 86_400_000,
];

/** The timeline picture, or undefined when there is nothing to draw. */
export function timelineSvg(lanes: TimelineLane[], title: string): string | undefined {
  const times: number[] = [];
  for (const l of lanes) {
    for (const p of l.points ?? []) times.push(Date.parse(p.time));
    for (const s of l.spans ?? []) times.push(Date.parse(s.start), Date.parse(s.end));
  }
  const valid = times.filter((t) => Number.isFinite(t));
  if (!valid.length) return undefined;
  let lo = Math.min(...valid);
  let hi = Math.max(...valid);
  if (hi - lo < 3_600_000) {
    lo -= 1_800_000;
    hi += 1_800_000;
  }
  const pad = (hi - lo) * 0.04;
  lo -= pad;
  hi += pad;
  const plot = WIDTH - LEFT - RIGHT;
  const x = (t: number) => LEFT + ((t - lo) / (hi - lo)) * plot;
  const height = TOP + lanes.length * LANE + 56;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${xmlText(title)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="28" font-size="16" font-weight="bold" fill="#111827">${xmlText(title, 120)}</text>`,
  ];
  // Axis: ticks at a round step, at most about ten of them.
  const step = STEPS.find((s) => (hi - lo) / s <= 10) ?? STEPS[STEPS.length - 1];
  const axisY = TOP + lanes.length * LANE + 8;
  out.push(`<line x1="${LEFT}" y1="${axisY}" x2="${WIDTH - RIGHT}" y2="${axisY}" stroke="#6b7280"/>`);
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) {
    const iso = new Date(t).toISOString();
    const label = step >= 86_400_000 ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
    out.push(`<line x1="${x(t).toFixed(1)}" y1="${TOP - 6}" x2="${x(t).toFixed(1)}" y2="${axisY + 4}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${x(t).toFixed(1)}" y="${axisY + 18}" text-anchor="middle" fill="#374151">${label}</text>`);
  }
  out.push(`<text x="${WIDTH - RIGHT}" y="${axisY + 38}" text-anchor="end" fill="#6b7280">UTC</text>`);

  lanes.forEach((lane, i) => {
    const color = COLORS[i % COLORS.length];
    const y = TOP + i * LANE + LANE / 2;
    out.push(
      `<g>`,
      `<rect x="8" y="${y - LANE / 2 + 3}" width="${WIDTH - 16}" height="${LANE - 6}" rx="4" fill="${i % 2 ? '#f9fafb' : '#f3f4f6'}"/>`,
      `<text x="16" y="${y + 4}" font-weight="bold" fill="${color}">${xmlText(lane.title, 40)}</text>`,
    );
    const points = [...(lane.points ?? [])]
      .map((p) => ({ t: Date.parse(p.time), label: p.label }))
      .filter((p) => Number.isFinite(p.t))
      .sort((a, b) => a.t - b.t);
    const spans = lane.spans ?? [];
    if (!points.length && !spans.length) out.push(`<text x="${LEFT}" y="${y + 4}" fill="#9ca3af">none recorded</text>`);
    for (const s of spans) {
      const [a, b] = [x(Date.parse(s.start)), x(Date.parse(s.end))];
      const w = Math.max(8, b - a);
      out.push(
        `<rect x="${a.toFixed(1)}" y="${y - 8}" width="${w.toFixed(1)}" height="16" rx="8" fill="${color}" fill-opacity="0.8"><title>${xmlText(`${s.count} × ${formatMinute(s.start)} – ${formatUtc(s.end)}: ${s.label}`)}</title></rect>`,
      );
      if (s.count > 1) out.push(`<text x="${(a + w + 4).toFixed(1)}" y="${y + 4}" fill="${color}">${s.count}</text>`);
    }
    // Dots closer than 6 px merge: a burst of thousands of mail reads is one mark with its count.
    const clusters: { x: number; n: number; labels: string[] }[] = [];
    for (const p of points) {
      const px = x(p.t);
      const last = clusters[clusters.length - 1];
      if (last && px - last.x < 6) {
        last.n++;
        if (last.labels.length < 5) last.labels.push(p.label);
      } else clusters.push({ x: px, n: 1, labels: [p.label] });
    }
    for (const c of clusters) {
      const r = Math.min(10, 4 + Math.log2(c.n) * 1.5);
      const tip = c.labels.join('\n') + (c.n > c.labels.length ? `\n… ${c.n - c.labels.length} more` : '');
      out.push(
        `<circle cx="${c.x.toFixed(1)}" cy="${y}" r="${r.toFixed(1)}" fill="${color}" fill-opacity="0.85"><title>${xmlText(tip, 1200)}</title></circle>`,
      );
      if (c.n > 1) out.push(`<text x="${(c.x + r + 2).toFixed(1)}" y="${y - 8}" font-size="10" fill="${color}">${c.n}</text>`);
    }
    const first = points[0]?.label ?? spans[0]?.label;
    const firstX = points.length ? x(points[0].t) : spans.length ? x(Date.parse(spans[0].start)) : LEFT;
    if (first) {
      // The first record's description under the lane, on whichever side of its mark has room.
      const right = firstX < LEFT + plot * 0.55;
      out.push(
        `<text x="${(right ? firstX + 2 : firstX - 2).toFixed(1)}" y="${y + 19}" font-size="10" fill="#374151" text-anchor="${right ? 'start' : 'end'}">${xmlText(first, 70)}</text>`,
      );
    }
    out.push(`</g>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** The picture as a Markdown image (a data URI), for documents read offline. */
export function markdownImage(svg: string, alt: string): string {
  return `![${alt.replace(/[[\]]/g, '')}](data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')})`;
}
