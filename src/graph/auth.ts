import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { TokenCredential } from '@azure/core-auth';
import type { GraphCredentialConfig } from '../config';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** Build the @azure/identity credential named by config; undefined for the sandbox tenant, which needs no token. */
export async function createCredential(config: GraphCredentialConfig): Promise<TokenCredential | undefined> {
  if (config.kind === 'none') return undefined;
  // @azure/identity is ~40 ms to import; keep it off the local/test path that never needs it.
  const identity = await import('@azure/identity');
  switch (config.kind) {
    case 'clientSecret':
      return new identity.ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret);
    case 'clientCertificate':
      return new identity.ClientCertificateCredential(config.tenantId, config.clientId, { certificatePath: config.certificatePath });
    case 'managedIdentity':
      return config.clientId
        ? new identity.ManagedIdentityCredential({ clientId: config.clientId })
        : new identity.ManagedIdentityCredential();
  }
}

/** Adds the bearer token, but only to requests for the configured Graph base URL: a token never leaves for another host. */
export class TokenMiddleware implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly credential: TokenCredential | undefined,
    private readonly baseUrl: string,
    private readonly scope: string = GRAPH_SCOPE,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    if (this.credential && url.startsWith(this.baseUrl + '/')) {
      const token = await this.credential.getToken(this.scope, { abortSignal: context.options?.signal ?? undefined });
      if (!token) throw new Error('Graph credential returned no token');
      const headers = new Headers(context.options?.headers as HeadersInit | undefined);
      headers.set('Authorization', `Bearer ${token.token}`);
      context.options = { ...context.options, headers };
    }
    await this.next!.execute(context);
  }
}
