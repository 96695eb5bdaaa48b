import { SEED_IDS } from '../../sandbox/graph/seed';
import type { Actor } from '../../src/incidents/model';
import type { Campaign } from '../../src/wave/campaign';

/** A wave offer as `scope` leaves it (proposed, a minute to approve, Alice's phishing mail), asked for by `requester`. */
export function campaignOf(requester: Actor, over: Partial<Campaign> = {}): Campaign {
  const now = Date.now();
  return {
    id: `CMP-20261130-${Math.random().toString(16).slice(2, 10).padEnd(8, '0')}`,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
    requester,
    source: { userId: SEED_IDS.alice, displayName: 'Alice Aoki', upn: 'alice.aoki@contoso.example' },
    count: 1,
    listed: 1,
    state: 'proposed',
    step: 0,
    cursor: 0,
    ...over,
  };
}
