import { SEED_IDS } from './graph/seed';

/** Who a person can act as in the playground: the same people on Teams (Entra ids) and Slack (member ids). */
export const PLAYGROUND_PEOPLE = [
  { key: 'riley', name: 'Riley Rivera', role: 'responder', aadObjectId: SEED_IDS.riley, teamsId: '29:riley', slackId: 'U0RILEY' },
  { key: 'avery', name: 'Avery Adams', role: 'approver', aadObjectId: SEED_IDS.avery, teamsId: '29:avery', slackId: 'U0AVERY' },
  { key: 'parker', name: 'Parker Patel', role: 'approver', aadObjectId: SEED_IDS.parker, teamsId: '29:parker', slackId: 'U0PARKER' },
  { key: 'sam', name: 'Sam Sato', role: 'neither (intern)', aadObjectId: SEED_IDS.sam, teamsId: '29:sam', slackId: 'U0SAM' },
];
