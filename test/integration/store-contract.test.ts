import { randomBytes } from 'node:crypto';
import { MemoryIncidentStore } from '../../src/store/memory-store';
import { TableIncidentStore } from '../../src/store/table-store';
import { storeContract } from '../helpers/store-contract';

/** One contract, both stores: what the unit tests learn on the memory store holds for Table Storage. */
storeContract('Azure Table Storage (Azurite)', async () => {
  let now = new Date();
  const store = TableIncidentStore.fromConnectionString(
    process.env.STORAGE_CONNECTION_STRING!,
    `c${randomBytes(5).toString('hex')}`,
    () => now,
  );
  return { store, setNow: (d) => void (now = d) };
});

storeContract('memory', async () => {
  let now = new Date();
  return { store: new MemoryIncidentStore(() => now), setNow: (d) => void (now = d) };
});
