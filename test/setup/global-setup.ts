import { startAzurite } from '../../sandbox/azurite';

/** One Azurite for the whole run; each test stack isolates itself with its own table and queue prefix. */
export default async function globalSetup(): Promise<void> {
  const azurite = await startAzurite();
  process.env.STORAGE_CONNECTION_STRING = azurite.connectionString;
  (globalThis as { __azurite?: unknown }).__azurite = azurite;
}
