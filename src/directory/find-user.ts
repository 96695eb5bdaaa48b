import type { ContainContext } from '../context';
import { ContainError } from '../errors';
import { isGuid } from '../ids';
import { odataString, query, segment } from '../graph/odata';
import type { Page } from '../graph/client';
import type { TargetUser } from '../incidents/model';

/** What the responder typed, after platform-specific forms (mentions, mailto links) were unwrapped. */
export type UserQuery = { kind: 'text'; value: string } | { kind: 'email'; value: string } | { kind: 'id'; value: string };

export type FindUserResult = { kind: 'one'; user: TargetUser } | { kind: 'many'; candidates: TargetUser[] };

const SELECT = 'id,displayName,userPrincipalName,mail,jobTitle,department,accountEnabled,onPremisesSyncEnabled';

/** Resolve a user by id, UPN/mail or name prefix. Several matches are returned for a chooser: never guess. */
export async function findUser(
  ctx: Pick<ContainContext, 'graph'>,
  q: UserQuery,
  options: { signal?: AbortSignal } = {},
): Promise<FindUserResult> {
  const value = q.value.trim();
  if (value === '') throw new ContainError('BAD_COMMAND', 'Say which user: a name, a UPN or an email address.');
  if (q.kind === 'id' || isGuid(value)) {
    try {
      const user = await ctx.graph.get<TargetUser>(`/users/${segment(value)}${query({ $select: SELECT })}`, {
        signal: options.signal,
        what: 'looking up the user',
      });
      return { kind: 'one', user };
    } catch (err) {
      if (err instanceof ContainError && err.code === 'GRAPH_NOT_FOUND') throw notFound(value);
      throw err;
    }
  }
  const lit = odataString(value);
  const filter =
    q.kind === 'email' || value.includes('@')
      ? `userPrincipalName eq ${lit} or mail eq ${lit}`
      : ['displayName', 'givenName', 'surname', 'userPrincipalName', 'mail'].map((p) => `startswith(${p},${lit})`).join(' or ');
  const page = await ctx.graph.get<Page<TargetUser>>(`/users${query({ $filter: filter, $select: SELECT, $count: 'true', $top: 25 })}`, {
    headers: { ConsistencyLevel: 'eventual' },
    signal: options.signal,
    what: 'searching the directory',
  });
  const users = page.value;
  if (users.length === 0) throw notFound(value);
  if (users.length === 1) return { kind: 'one', user: users[0] };
  // An exact name/UPN/mail match among several prefix matches is what was meant, but only if it is the only one.
  const v = value.toLowerCase();
  const exact = users.filter((u) => [u.displayName, u.userPrincipalName, u.mail ?? ''].some((x) => x.toLowerCase() === v));
  if (exact.length === 1) return { kind: 'one', user: exact[0] };
  return { kind: 'many', candidates: users.slice(0, 10) };
}

function notFound(value: string): ContainError {
  return new ContainError(
    'USER_NOT_FOUND',
    `No user matches "${value}". Try the full name, the UPN (alice@contoso.com) or the email address.`,
    {
      details: { query: value },
    },
  );
}
