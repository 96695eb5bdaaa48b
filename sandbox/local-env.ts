import { SEED_IDS } from './graph/seed';
import { FLOW_ENVIRONMENT } from './graph/seed-objects';
import { SANDBOX_APP } from './graph/app-identity';
import { TENANT_ID } from './graph/ids';

/** The fake Slack workspace's signing secret: public by design, it only ever signs requests to this machine. */
export const SANDBOX_SLACK_SECRET = 'local-sandbox-signing-secret';

/** Signs full-result links on this machine only. */
export const SANDBOX_LINK_KEY = 'local-sandbox-result-link-key-not-a-secret';

/**
 * Settings the local stack fills in when the environment leaves them empty, so `npm start` shows the whole flow
 * against the sandbox tenant: three approvers, anyone may open incidents, the break-glass account protected.
 */
export function localDefaults(port: number): Record<string, string> {
  return {
    CONTAIN_MODE: 'local',
    PORT: String(port),
    GRAPH_BASE_URL: `http://127.0.0.1:${port}/sandbox/graph`,
    // Contain's app in the sandbox tenant (no secret: the sandbox takes no token); `contain doctor` checks it.
    AZURE_CLIENT_ID: SANDBOX_APP.appId,
    // By group, as a real deployment would: the SOC Approvers group; protected: break-glass and every Global Administrator.
    CONTAIN_APPROVERS: SEED_IDS.socApprovers,
    CONTAIN_PROTECTED_USERS: [SEED_IDS.breakGlass, SEED_IDS.globalAdminRole].join(','),
    POWER_AUTOMATE_API_URL: `http://127.0.0.1:${port}/sandbox/flow`,
    POWER_AUTOMATE_ENVIRONMENT: FLOW_ENVIRONMENT,
    // The sandbox's Exchange admin API (forwarding, hidden inbox rules, mailbox audit configuration).
    EXCHANGE_ADMIN_API_URL: `http://127.0.0.1:${port}/sandbox/exchange/adminapi/beta/${TENANT_ID}`,
    // The fake Slack workspace: these values only ever talk to the sandbox on this machine.
    SLACK_SIGNING_SECRET: SANDBOX_SLACK_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-local-sandbox-token',
    SLACK_API_URL: `http://127.0.0.1:${port}/sandbox/slack/api/`,
    // Result links are signed with this: public by design, it only protects results on this machine.
    CONTAIN_LINK_KEY: SANDBOX_LINK_KEY,
    // The sandbox's audit log queries finish in seconds; poll accordingly.
    CONTAIN_AUDIT_POLL_SECONDS: '0.5',
  };
}
