import { MemoryIncidentStore } from '../../src/store/memory-store';
import { storeContract } from '../helpers/store-contract';

// The same cases run on Table Storage (Azurite) in test/integration/store-contract.test.ts.
storeContract('memory', async () => {
  let now = new Date();
  return { store: new MemoryIncidentStore(() => now), setNow: (d) => void (now = d) };
});
