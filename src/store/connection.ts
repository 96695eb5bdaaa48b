/** Options the Azure SDK clients need for a connection string: Azurite speaks plain http on loopback. */
export function insecureAllowed(connectionString: string): boolean {
  return /UseDevelopmentStorage=true/i.test(connectionString) || /Endpoint=http:\/\//i.test(connectionString);
}
