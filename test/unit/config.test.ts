import { loadConfig } from '../../src/config';
import { ContainError } from '../../src/errors';

const problem = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ContainError);
    expect((e as ContainError).code).toBe('CONFIG_INVALID');
    return (e as ContainError).userMessage;
  }
  throw new Error('expected a configuration error');
};

describe('configuration', () => {
  test('local defaults need nothing', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3978,
      mode: 'local',
      graph: { baseUrl: 'http://127.0.0.1:3978/sandbox/graph', credential: { kind: 'none' } },
    });
    expect(c.storage).toEqual({ connectionString: 'UseDevelopmentStorage=true', prefix: 'contain' });
    expect(c.policy.approvalTtlMinutes).toBe(30);
  });

  test('an invalid value names the variable, what it got and the fix', () => {
    const m = problem({ CONTAIN_MODE: 'prod' });
    expect(m).toContain("CONTAIN_MODE is invalid (got 'prod')");
    expect(m).toContain("set CONTAIN_MODE to 'local'");
  });

  test('several problems are reported together', () => {
    const m = problem({ PORT: 'eighty', CONTAIN_APPROVERS: 'avery', GRAPH_BASE_URL: 'ftp://graph' });
    expect(m).toMatch(/PORT is invalid/);
    expect(m).toMatch(/CONTAIN_APPROVERS is invalid.*Entra object id/);
    expect(m).toMatch(/GRAPH_BASE_URL is invalid/);
  });

  test('a misspelt CONTAIN_ setting stops start-up with a suggestion', () => {
    expect(problem({ CONTAIN_APROVERS: 'x' })).toContain('CONTAIN_APROVERS is not a Contain setting (did you mean CONTAIN_APPROVERS?)');
  });

  test('secrets are never echoed in errors', () => {
    const m = problem({ CONTAIN_MODE: 'azure', AZURE_CLIENT_SECRET: 's3cr3t-value' });
    expect(m).not.toContain('s3cr3t-value');
    expect(m).toContain('AZURE_TENANT_ID and AZURE_CLIENT_ID are required');
  });

  test('azure mode requires the bot app id, a Graph credential, storage and approvers', () => {
    const m = problem({ CONTAIN_MODE: 'azure' });
    expect(m).toContain('MicrosoftAppId is required when CONTAIN_MODE=azure');
    expect(m).toContain('no Graph credential');
    expect(m).toContain('STORAGE_CONNECTION_STRING is required');
    expect(m).toContain('CONTAIN_APPROVERS is empty');
  });

  test('a complete azure configuration parses', () => {
    const c = loadConfig({
      CONTAIN_MODE: 'azure',
      MicrosoftAppId: 'app',
      MicrosoftAppType: 'UserAssignedMSI',
      AZURE_USE_MANAGED_IDENTITY: 'true',
      AZURE_CLIENT_ID: 'mi-client',
      AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=eQ==;EndpointSuffix=core.windows.net',
      CONTAIN_APPROVERS: 'A5E70000-0000-4000-8000-0000000000A2',
      CONTAIN_PROTECTED_USERS: 'breakglass@contoso.com',
    });
    expect(c.graph.baseUrl).toBe('https://graph.microsoft.com');
    expect(c.graph.credential).toEqual({ kind: 'managedIdentity', clientId: 'mi-client' });
    expect(c.policy.approvers).toEqual(['a5e70000-0000-4000-8000-0000000000a2']);
    expect(c.policy.protectedUsers).toEqual(['breakglass@contoso.com']);
  });
});

describe('storage connection strings', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { keylessEndpoints } = require('../../src/store/connection') as typeof import('../../src/store/connection');
  test('endpoints without a key mean managed-identity access', () => {
    // Older settings name only table and queue: the blob endpoint (full results) is the same account's.
    expect(keylessEndpoints('TableEndpoint=https://a.table.core.windows.net/;QueueEndpoint=https://a.queue.core.windows.net/')).toEqual({
      table: 'https://a.table.core.windows.net',
      queue: 'https://a.queue.core.windows.net',
      blob: 'https://a.blob.core.windows.net',
    });
    expect(
      keylessEndpoints(
        'BlobEndpoint=https://b.blob.core.windows.net/;TableEndpoint=https://a.table.core.windows.net/;QueueEndpoint=https://a.queue.core.windows.net/',
      )?.blob,
    ).toBe('https://b.blob.core.windows.net');
  });
  test('keys, SAS and the development store keep the connection-string path', () => {
    expect(keylessEndpoints('UseDevelopmentStorage=true')).toBeUndefined();
    expect(
      keylessEndpoints('DefaultEndpointsProtocol=https;AccountName=a;AccountKey=eQ==;EndpointSuffix=core.windows.net'),
    ).toBeUndefined();
    expect(keylessEndpoints('TableEndpoint=https://a/;QueueEndpoint=https://b/;SharedAccessSignature=sv=1')).toBeUndefined();
  });
});
