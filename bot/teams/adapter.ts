import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import type { Config } from '../../src/config';
import type { Logger } from '../../src/log';

let adapter: { cloud: CloudAdapter; config: Config } | undefined;

/**
 * The one botbuilder CloudAdapter of this process. With an empty MicrosoftAppId (local mode only; config refuses it
 * in azure mode) it runs in emulator mode: no JWT validation, no outbound token.
 */
export function getAdapter(config: Config, log: Logger): CloudAdapter {
  if (adapter?.config === config) return adapter.cloud;
  const settings = {
    MicrosoftAppId: config.teams.appId,
    MicrosoftAppPassword: config.teams.appPassword ?? '',
    // Emulator mode has no app registration; botbuilder only accepts that combination as MultiTenant.
    MicrosoftAppType: config.teams.appId ? config.teams.appType : 'MultiTenant',
    MicrosoftAppTenantId: config.teams.appTenantId ?? '',
  };
  const auth = new ConfigurationBotFrameworkAuthentication(settings, new ConfigurationServiceClientCredentialFactory(settings));
  const cloud = new CloudAdapter(auth);
  cloud.onTurnError = async (context, error) => {
    // Last resort only: handlers reply to their own errors. Never echo the error into the channel.
    log.error('unhandled bot turn error', { err: error, activityType: context.activity.type });
  };
  adapter = { cloud, config };
  return cloud;
}
