import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { Config } from '../../src/config';
import type { Logger } from '../../src/log';

type AuthenticateRequestResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/**
 * CloudAdapter with authentication and the turn as two steps, so that the HTTP handler can answer 401 to anything that
 * fails authentication (CloudAdapter.process answers 500 with botbuilder's error text when, say, the signing keys
 * cannot be fetched or a token is signed by an unknown key).
 */
export class ContainAdapter extends CloudAdapter {
  constructor(private readonly auth: ConfigurationBotFrameworkAuthentication) {
    super(auth);
  }

  /** Check the Bot Framework JWT of an inbound activity (emulator mode: no app id, no check); throws when it fails. */
  authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.auth.authenticateRequest(activity, authHeader);
  }

  /** Run the bot's logic for an authenticated activity; the invoke response, if the turn produced one. */
  run(
    authenticated: AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, logic);
  }
}

let adapter: { cloud: ContainAdapter; config: Config } | undefined;

/**
 * The one botbuilder CloudAdapter of this process. With an empty MicrosoftAppId (local mode only; config refuses it
 * in azure mode) it runs in emulator mode: no JWT validation, no outbound token.
 */
export function getAdapter(config: Config, log: Logger): ContainAdapter {
  if (adapter?.config === config) return adapter.cloud;
  const settings = {
    MicrosoftAppId: config.teams.appId,
    MicrosoftAppPassword: config.teams.appPassword ?? '',
    // Emulator mode has no app registration; botbuilder only accepts that combination as MultiTenant.
    MicrosoftAppType: config.teams.appId ? config.teams.appType : 'MultiTenant',
    MicrosoftAppTenantId: config.teams.appTenantId ?? '',
  };
  const auth = new ConfigurationBotFrameworkAuthentication(settings, new ConfigurationServiceClientCredentialFactory(settings));
  const cloud = new ContainAdapter(auth);
  cloud.onTurnError = async (context, error) => {
    // Last resort only: handlers reply to their own errors. Never echo the error into the channel.
    log.error('unhandled bot turn error', { err: error, activityType: context.activity.type });
  };
  adapter = { cloud, config };
  return cloud;
}
