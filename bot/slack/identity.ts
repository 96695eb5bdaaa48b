import type { WebClient } from '@slack/web-api';
import type { ContainContext } from '../../src/context';
import { findUser } from '../../src/directory/find-user';
import { ContainError } from '../../src/errors';
import type { Actor } from '../../src/incidents/model';

const cache = new Map<string, { email?: string; aadObjectId?: string; displayName?: string; at: number }>();
const TTL_MS = 10 * 60_000;

/** A Slack user's email from users.info (needs users:read.email); undefined when Slack has none. */
export async function slackEmail(client: WebClient, userId: string): Promise<string | undefined> {
  const hit = cache.get(userId);
  if (hit && Date.now() - hit.at < TTL_MS && hit.email) return hit.email;
  const r = await client.users.info({ user: userId });
  const email = (r.user as { profile?: { email?: string } } | undefined)?.profile?.email;
  cache.set(userId, { ...hit, email, at: Date.now() });
  return email;
}

/**
 * Who clicked, as policy sees them: the Slack user id from the signed payload, mapped to an Entra object id through
 * the email Slack holds for them and a directory lookup. No email or no match: an actor without aadObjectId, whom
 * policy refuses with a clear message.
 */
export async function slackActor(ctx: ContainContext, client: WebClient, a: { userId: string; name: string }): Promise<Actor> {
  const actor: Actor = { platform: 'slack', id: a.userId, name: a.name };
  const hit = cache.get(a.userId);
  if (hit?.aadObjectId && Date.now() - hit.at < TTL_MS)
    return { ...actor, aadObjectId: hit.aadObjectId, name: hit.displayName ?? actor.name };
  try {
    const email = await slackEmail(client, a.userId);
    if (!email) return actor;
    const found = await findUser(ctx, { kind: 'email', value: email });
    if (found.kind !== 'one') return actor;
    cache.set(a.userId, { email, aadObjectId: found.user.id.toLowerCase(), displayName: found.user.displayName, at: Date.now() });
    return { ...actor, aadObjectId: found.user.id.toLowerCase(), name: found.user.displayName };
  } catch (err) {
    if (err instanceof ContainError && err.code === 'USER_NOT_FOUND') return actor;
    throw err;
  }
}
