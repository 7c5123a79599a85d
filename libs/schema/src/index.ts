import { EventStore1700000000000 } from '../../event-store/src/postgres/event-store.migration';

/** Every checked-in migration, in the order they apply. Run at start by every process. */
export const ALL_MIGRATIONS = [EventStore1700000000000];
