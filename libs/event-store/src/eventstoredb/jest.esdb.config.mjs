// `npm run test:esdb`: only the EventStoreDB contract file, from dist/ (built first), without the
// integration project's embedded PostgreSQL, which EventStoreDB does not need.
// Set EVENTSTORE_URL (e.g. esdb://localhost:2113?tls=false) or the file shows one skipped test.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default {
  rootDir: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..'),
  transform: {},
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'mjs', 'json'],
  testMatch: ['<rootDir>/dist/libs/event-store/src/eventstoredb/eventstoredb-event-store.int.spec.js'],
  forceExit: true,
};
