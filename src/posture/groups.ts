import { segment } from '../graph/odata';
import type { GraphRequest, GroupSpec } from './types';

/** "A maximum of 20 relationships, such as owners and members, can be added as part of group creation" (group-post-groups). */
export const MAX_RELATIONSHIPS_AT_CREATION = 20;

const ref = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${segment(id)}`;

/**
 * A security group as Graph creates it (https://learn.microsoft.com/graph/api/group-post-groups): not mail-enabled,
 * security-enabled, no groupTypes; the first 20 members bound at creation, the rest added one by one afterwards
 * (https://learn.microsoft.com/graph/api/group-post-members).
 */
export function groupRequests(spec: GroupSpec): { create: GraphRequest; addMembers(groupId: string): GraphRequest[] } {
  const first = spec.memberIds.slice(0, MAX_RELATIONSHIPS_AT_CREATION);
  const rest = spec.memberIds.slice(MAX_RELATIONSHIPS_AT_CREATION);
  return {
    create: {
      method: 'POST',
      url: '/groups',
      body: {
        displayName: spec.displayName,
        description: spec.description,
        mailEnabled: false,
        mailNickname: spec.mailNickname,
        securityEnabled: true,
        groupTypes: [],
        ...(first.length ? { 'members@odata.bind': first.map(ref) } : {}),
      },
    },
    addMembers: (groupId) =>
      rest.map((id) => ({ method: 'POST', url: `/groups/${segment(groupId)}/members/$ref`, body: { '@odata.id': ref(id) } })),
  };
}
