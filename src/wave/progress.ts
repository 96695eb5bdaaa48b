import { UNFINISHED, type Action } from '../incidents/model';
import type { WaveUserState } from '../views/types';
import type { Campaign, UserStatus, WaveUser } from './campaign';

/**
 * Where a wave user stands by their incident's actions: running while any is undecided, on its way or not yet read
 * back; "needs an admin" when one failed or was skipped for a reason someone must act on (an on-premises password, a
 * non-Windows device, a missing role) or was rejected or expired; contained otherwise.
 */
export function statusOf(incidentId: string, actions: Action[]): UserStatus {
  if (
    actions.some(
      (a) => a.state === 'proposed' || UNFINISHED.includes(a.state) || (a.state === 'succeeded' && a.result?.verified === undefined),
    )
  )
    return { state: 'running', incidentId };
  const stuck = actions.find((a) => a.state === 'failed' || (a.state === 'skipped' && a.result?.code));
  if (stuck) return { state: 'admin', incidentId, note: `${stuck.title}: ${stuck.result?.message ?? stuck.state}` };
  // Not decided (an incident the wave follows but did not open): nothing changed, so someone must look.
  const undecided = actions.find((a) => a.state === 'rejected' || a.state === 'expired');
  return undecided
    ? { state: 'admin', incidentId, note: `${undecided.title}: ${undecided.state}, nothing changed` }
    : { state: 'contained', incidentId };
}

/** How many users are in each state; users with no status yet are still to be opened. */
export function countStates(c: Campaign, statuses: Map<number, UserStatus>): Record<WaveUserState, number> & { total: number } {
  const counts = { opening: 0, running: 0, contained: 0, admin: 0, refused: 0, left: 0 };
  for (let i = 0; i < c.count; i++) counts[statuses.get(i)?.state ?? 'opening']++;
  return { ...counts, total: c.count - counts.left };
}

const NAMES_SHOWN = 3;
/** Slack edits a message's text up to 4,000 characters: the line stays far below. */
const LINE_MAX = 1500;

/** The one progress line of a wave, edited in place: "37 of 100 contained, 2 need an admin: ...". */
export function progressText(c: Campaign, statuses: Map<number, UserStatus>, users: WaveUser[]): string {
  const n = countStates(c, statuses);
  const who = (state: WaveUserState) => {
    const mine = [...statuses].filter(([, s]) => s.state === state).sort((a, b) => a[0] - b[0]);
    const named = mine
      .slice(0, NAMES_SHOWN)
      .map(([i, s]) => `${users[i]?.upn ?? `user ${i + 1}`}${s.note ? ` (${s.note.slice(0, 120)})` : ''}`);
    return `${named.join('; ')}${mine.length > NAMES_SHOWN ? `; and ${mine.length - NAMES_SHOWN} more` : ''}`;
  };
  const parts = [
    `${n.contained} of ${n.total} contained`,
    n.admin ? `, ${n.admin} need${n.admin === 1 ? 's' : ''} an admin: ${who('admin')}` : '',
    n.refused ? `. ${n.refused} not contained: ${who('refused')}` : '',
    n.running + n.opening ? `. In progress: ${n.running} running${n.opening ? `, ${n.opening} still to open` : ''}` : '. Done',
    n.left ? `. ${n.left} left out (unticked)` : '',
  ];
  const line = `Wave ${c.id}: ${parts.join('')}.`;
  return line.length <= LINE_MAX ? line : `${line.slice(0, LINE_MAX - 1)}…`;
}
