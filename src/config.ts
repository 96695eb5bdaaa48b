/** Loading and validating Contain's settings from the environment (the variables themselves: config-schema.ts). */
import { ContainError } from './errors';
import { schema, type RawConfig } from './config-schema';

export type { RawConfig } from './config-schema';

export type GraphCredentialConfig =
  | { kind: 'none' }
  | { kind: 'clientSecret'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'clientCertificate'; tenantId: string; clientId: string; certificatePath: string }
  | { kind: 'managedIdentity'; clientId?: string };

/** The parsed, validated settings the rest of Contain uses. */
export interface Config {
  port: number;
  mode: 'local' | 'azure';
  /** clientId: Contain's app (AZURE_CLIENT_ID), whose service principal `contain doctor` checks. pacing: spend Graph's
   * published throttling budgets client-side (src/graph/pacing.ts) rather than meet 429s. */
  graph: { baseUrl: string; credential: GraphCredentialConfig; clientId?: string; pacing: boolean };
  teams: { appId: string; appPassword?: string; appTenantId?: string; appType: RawConfig['MicrosoftAppType'] };
  slack: { signingSecret?: string; botToken?: string; apiUrl?: string };
  /** Power Automate admin API; undefined = step 6 reports "not checked". */
  powerAutomate?: { apiUrl: string; environment: string };
  /** Exchange Online admin API, tenant-scoped (…/adminapi/beta/<tenant id>); undefined = PowerShell lines instead. */
  exchange?: { apiUrl: string };
  storage: { connectionString: string; prefix: string };
  policy: {
    approvers: string[];
    responders: string[];
    protectedUsers: string[];
    approvalTtlMinutes: number;
    fastPathRevoke: boolean;
    /** How long a worker owns a running action before the sweeper may hand it to another. */
    actionLeaseMs: number;
    /** How long a change sent by a worker that then vanished may still be in flight: none is resent sooner. */
    sendGraceMs: number;
  };
  logLevel: RawConfig['CONTAIN_LOG_LEVEL'];
  /** The local stack's stand-in for the Functions host: where the queue worker runs, how long a message stays hidden. */
  local: { worker: RawConfig['CONTAIN_LOCAL_WORKER']; queueVisibilitySeconds: number };
  /** Unified audit log queries from chat: first poll interval (it backs off) and how long to wait in all. */
  investigate: { auditPollMs: number; auditTimeoutMs: number };
  /** Where full results are linked from chat; no key = results are kept but not linked. */
  links: { baseUrl?: string; key?: string; ttlHours: number };
  /** The alert poll (src/alerts): off at 0; in local mode its period, in Azure the timer runs every minute. */
  alerts: { pollMs: number };
  /** CONTAIN_INCIDENT_CHANNEL: where alert-opened incidents go, by platform, over where Contain was last added. */
  incidentChannels: Record<string, string>;
}

const FIXES: Record<string, string> = {
  PORT: 'set PORT to a TCP port number such as 3978',
  CONTAIN_MODE: "set CONTAIN_MODE to 'local' (sandbox tenant, no Azure account) or 'azure'",
  GRAPH_BASE_URL: 'set GRAPH_BASE_URL to an http(s) URL such as https://graph.microsoft.com',
  SLACK_API_URL: 'set SLACK_API_URL to an http(s) URL such as https://slack.com/api/',
  EXCHANGE_ADMIN_API_URL: 'set EXCHANGE_ADMIN_API_URL to https://outlook.office365.com/adminapi/beta/<tenant id>, or leave it empty',
  MicrosoftAppType: "set MicrosoftAppType to 'SingleTenant', 'MultiTenant' or 'UserAssignedMSI'",
  CONTAIN_APPROVERS: 'list Entra object ids separated by commas',
  CONTAIN_RESPONDERS: 'list Entra object ids separated by commas',
  CONTAIN_APPROVAL_TTL_MINUTES: 'set a whole number of minutes between 1 and 1440',
  CONTAIN_GRAPH_PACING: "set 'on' (default: pace Graph calls within the published throttling budgets) or 'off'",
  CONTAIN_AUDIT_POLL_SECONDS: 'set the first poll interval in seconds (0.01-300), e.g. 10',
  CONTAIN_AUDIT_TIMEOUT_MINUTES: 'set how many minutes to wait for a unified audit log query (0.01-120), e.g. 8',
  CONTAIN_ALERT_POLL_SECONDS: 'set seconds between alert polls in local mode (0 turns polling off), e.g. 5',
  CONTAIN_INCIDENT_CHANNEL: 'list <platform>:<channel id> separated by commas, e.g. slack:C0123ABCD,teams:19:abc@thread.tacv2',
  CONTAIN_LINK_KEY: 'set 32 or more random characters (a Key Vault reference in Azure), e.g. from: openssl rand -base64 48',
};

/** Names Contain knows; any other CONTAIN_* variable is almost certainly a typo and stops start-up. */
const KNOWN = new Set(Object.keys(schema.shape));

function closest(name: string): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of KNOWN) {
    const d = distance(name.toUpperCase(), k.toUpperCase());
    if (d < bestScore) [best, bestScore] = [k, d];
  }
  return bestScore <= 4 ? best : undefined;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length][b.length];
}

function fail(problems: string[]): never {
  throw new ContainError('CONFIG_INVALID', `Contain cannot start:\n  - ${problems.join('\n  - ')}\nSee .env.example for every setting.`, {
    details: { problems },
  });
}

/** Parse and validate the environment; throws ContainError CONFIG_INVALID naming each bad variable and its fix. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  for (const name of Object.keys(env)) {
    if (name.startsWith('CONTAIN_') && !KNOWN.has(name)) {
      const hint = closest(name);
      problems.push(`${name} is not a Contain setting${hint ? ` (did you mean ${hint}?)` : ''}; remove it or fix its name`);
    }
  }
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '?');
      const got = env[name];
      problems.push(
        `${name} is invalid${got !== undefined && !/SECRET|PASSWORD|TOKEN|KEY/i.test(name) ? ` (got '${got}')` : ''}: ${issue.message}; fix: ${FIXES[name] ?? 'see .env.example'}`,
      );
    }
  }
  if (problems.length > 0 || !parsed.success) fail(problems);
  const raw = parsed.data;
  const mode = raw.CONTAIN_MODE;

  const credential = graphCredential(raw, mode, problems);
  const connectionString =
    raw.STORAGE_CONNECTION_STRING ?? raw.AzureWebJobsStorage ?? (mode === 'local' ? 'UseDevelopmentStorage=true' : undefined);
  if (mode === 'azure') {
    if (!raw.MicrosoftAppId)
      problems.push("MicrosoftAppId is required when CONTAIN_MODE=azure; fix: set it to the Azure Bot resource's app id");
    if (raw.MicrosoftAppType !== 'UserAssignedMSI' && raw.MicrosoftAppId && !raw.MicrosoftAppPassword)
      problems.push(
        'MicrosoftAppPassword is required for MicrosoftAppType=' +
          raw.MicrosoftAppType +
          '; fix: set it (a Key Vault reference in Azure) or use UserAssignedMSI',
      );
    if (raw.MicrosoftAppType === 'SingleTenant' && raw.MicrosoftAppId && !raw.MicrosoftAppTenantId)
      problems.push('MicrosoftAppTenantId is required for a SingleTenant bot; fix: set it to your Entra tenant id');
    if (!connectionString)
      problems.push(
        'STORAGE_CONNECTION_STRING is required when CONTAIN_MODE=azure; fix: set it (or AzureWebJobsStorage) to the storage account connection string',
      );
    if (raw.CONTAIN_APPROVERS.length === 0)
      problems.push('CONTAIN_APPROVERS is empty: nobody could approve an action; fix: list approver Entra object ids');
  }
  if (raw.EXCHANGE_ADMIN_API_URL && !/\/adminapi\/beta\/[^/]+\/?$/.test(new URL(raw.EXCHANGE_ADMIN_API_URL).pathname))
    problems.push(
      `EXCHANGE_ADMIN_API_URL must end with /adminapi/beta/<tenant id> (got '${raw.EXCHANGE_ADMIN_API_URL}'); fix: ${FIXES.EXCHANGE_ADMIN_API_URL}`,
    );
  else if (raw.EXCHANGE_ADMIN_API_URL && mode === 'azure' && !raw.EXCHANGE_ADMIN_API_URL.startsWith('https://'))
    problems.push(`EXCHANGE_ADMIN_API_URL must use https in azure mode (a token is sent to it); fix: ${FIXES.EXCHANGE_ADMIN_API_URL}`);
  if (!!raw.POWER_AUTOMATE_API_URL !== !!raw.POWER_AUTOMATE_ENVIRONMENT)
    problems.push(
      'POWER_AUTOMATE_API_URL and POWER_AUTOMATE_ENVIRONMENT go together; fix: set both (https://api.flow.microsoft.com and your environment id) or neither',
    );
  if (problems.length > 0) fail(problems);

  return {
    port: raw.PORT,
    mode,
    graph: {
      baseUrl: (
        raw.GRAPH_BASE_URL ?? (mode === 'local' ? `http://127.0.0.1:${raw.PORT}/sandbox/graph` : 'https://graph.microsoft.com')
      ).replace(/\/+$/, ''),
      credential,
      clientId: raw.AZURE_CLIENT_ID,
      pacing: raw.CONTAIN_GRAPH_PACING === 'on',
    },
    teams: {
      appId: raw.MicrosoftAppId ?? '',
      appPassword: raw.MicrosoftAppPassword,
      appTenantId: raw.MicrosoftAppTenantId,
      appType: raw.MicrosoftAppType,
    },
    slack: { signingSecret: raw.SLACK_SIGNING_SECRET, botToken: raw.SLACK_BOT_TOKEN, apiUrl: raw.SLACK_API_URL },
    powerAutomate:
      raw.POWER_AUTOMATE_API_URL && raw.POWER_AUTOMATE_ENVIRONMENT
        ? { apiUrl: raw.POWER_AUTOMATE_API_URL, environment: raw.POWER_AUTOMATE_ENVIRONMENT }
        : undefined,
    exchange: raw.EXCHANGE_ADMIN_API_URL ? { apiUrl: raw.EXCHANGE_ADMIN_API_URL.replace(/\/+$/, '') } : undefined,
    storage: { connectionString: connectionString as string, prefix: raw.CONTAIN_STORAGE_PREFIX },
    policy: {
      approvers: raw.CONTAIN_APPROVERS.map((s) => s.toLowerCase()),
      responders: raw.CONTAIN_RESPONDERS.map((s) => s.toLowerCase()),
      protectedUsers: raw.CONTAIN_PROTECTED_USERS.map((s) => s.toLowerCase()),
      approvalTtlMinutes: raw.CONTAIN_APPROVAL_TTL_MINUTES,
      fastPathRevoke: raw.CONTAIN_FAST_PATH_REVOKE,
      actionLeaseMs: raw.CONTAIN_ACTION_LEASE_SECONDS * 1000,
      sendGraceMs: raw.CONTAIN_SEND_GRACE_SECONDS * 1000,
    },
    logLevel: raw.CONTAIN_LOG_LEVEL,
    local: { worker: raw.CONTAIN_LOCAL_WORKER, queueVisibilitySeconds: raw.CONTAIN_QUEUE_VISIBILITY_SECONDS },
    investigate: {
      auditPollMs: Math.round(raw.CONTAIN_AUDIT_POLL_SECONDS * 1000),
      auditTimeoutMs: Math.round(raw.CONTAIN_AUDIT_TIMEOUT_MINUTES * 60_000),
    },
    links: {
      // Azure sets WEBSITE_HOSTNAME on every Function App; behind a custom domain or Front Door set CONTAIN_PUBLIC_URL.
      baseUrl: (
        raw.CONTAIN_PUBLIC_URL ??
        (raw.WEBSITE_HOSTNAME ? `https://${raw.WEBSITE_HOSTNAME}` : mode === 'local' ? `http://127.0.0.1:${raw.PORT}` : undefined)
      )?.replace(/\/+$/, ''),
      key: raw.CONTAIN_LINK_KEY,
      ttlHours: raw.CONTAIN_RESULT_LINK_HOURS,
    },
    alerts: { pollMs: Math.round((raw.CONTAIN_ALERT_POLL_SECONDS ?? (mode === 'local' ? 5 : 60)) * 1000) },
    incidentChannels: Object.fromEntries(
      raw.CONTAIN_INCIDENT_CHANNEL.map((c) => [c.slice(0, c.indexOf(':')), c.slice(c.indexOf(':') + 1)]),
    ),
  };
}

function graphCredential(raw: RawConfig, mode: 'local' | 'azure', problems: string[]): GraphCredentialConfig {
  const { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId } = raw;
  if (raw.AZURE_CLIENT_SECRET || raw.AZURE_CLIENT_CERTIFICATE_PATH) {
    if (!tenantId || !clientId) {
      problems.push(
        'AZURE_TENANT_ID and AZURE_CLIENT_ID are required with a client secret or certificate; fix: set both from the app registration',
      );
      return { kind: 'none' };
    }
    return raw.AZURE_CLIENT_SECRET
      ? { kind: 'clientSecret', tenantId, clientId, clientSecret: raw.AZURE_CLIENT_SECRET }
      : { kind: 'clientCertificate', tenantId, clientId, certificatePath: raw.AZURE_CLIENT_CERTIFICATE_PATH as string };
  }
  if (raw.AZURE_USE_MANAGED_IDENTITY) return { kind: 'managedIdentity', clientId };
  if (mode === 'azure')
    problems.push(
      'no Graph credential: set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (with AZURE_TENANT_ID and AZURE_CLIENT_ID), or AZURE_USE_MANAGED_IDENTITY=true',
    );
  return { kind: 'none' };
}
