/** Options the Azure SDK clients need for a connection string: Azurite speaks plain http on loopback. */
export function insecureAllowed(connectionString: string): boolean {
  return /UseDevelopmentStorage=true/i.test(connectionString) || /Endpoint=http:\/\//i.test(connectionString);
}

/** Parse "Key=value;..." connection strings. */
export function parseConnectionString(cs: string): Record<string, string> {
  return Object.fromEntries(
    cs
      .split(';')
      .filter(Boolean)
      .map((kv) => {
        const i = kv.indexOf('=');
        return [kv.slice(0, i).trim().toLowerCase(), kv.slice(i + 1).trim()];
      }),
  );
}

/**
 * Endpoints without a key or SAS mean identity-based access (the managed identity has data roles on the account):
 * the clients are built from the endpoint and a token credential instead of the connection string.
 */
export function keylessEndpoints(cs: string): { table: string; queue: string; blob: string } | undefined {
  const p = parseConnectionString(cs);
  if (p.usedevelopmentstorage || p.accountkey || p.sharedaccesssignature) return undefined;
  if (!p.tableendpoint || !p.queueendpoint) return undefined;
  const table = p.tableendpoint.replace(/\/+$/, '');
  // Older settings name only table and queue: the blob endpoint of the same account follows the same pattern.
  return {
    table,
    queue: p.queueendpoint.replace(/\/+$/, ''),
    blob: (p.blobendpoint ?? table.replace('.table.', '.blob.')).replace(/\/+$/, ''),
  };
}
