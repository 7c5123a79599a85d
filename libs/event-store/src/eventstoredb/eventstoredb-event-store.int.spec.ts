/**
 * The EventStore contract against a real EventStoreDB (22.6 or later), when EVENTSTORE_URL is
 * set: `EVENTSTORE_URL='esdb://localhost:2113?tls=false' npm run test:esdb` (docker compose up
 * eventstore). Without it, one visibly skipped test says why: no EventStoreDB server can run on
 * the machines this project's CI uses, so CI runs the contract against PostgreSQL only.
 *
 * The factory checks the server first (ping, 5 s), so an unreachable one fails every test with
 * the reason instead of timing out. Each test's streams carry a random suffix, so the suite can
 * run against a server that already holds events.
 */
import { describeEventStoreContract } from '../testing/event-store.contract.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

const url = process.env.EVENTSTORE_URL?.trim();
const SKIP_REASON = 'EVENTSTORE_URL not set: no EventStoreDB server on this machine';

if (url) {
  describeEventStoreContract(
    'EventStoreDbEventStore',
    async () => {
      const store = EventStoreDbEventStore.fromUrl(url);
      await store.ping();
      return { store, cleanup: () => store.close() };
    },
    // EventStoreDB keeps no global index of event ids; a retried append is idempotent instead.
    { eventIdsUniqueAcrossAppends: false },
  );
} else {
  // Jest lists no names for a file whose tests are all skipped; say it once on the console.
  console.info(`${SKIP_REASON} (set it to run the EventStore contract against EventStoreDB)`);
  describe('EventStore contract: EventStoreDbEventStore', () => {
    it.skip(SKIP_REASON, () => undefined);
  });
}
