/**
 * docker-compose.yml has never met a Docker engine here (none runs on these machines), so what
 * would stop `docker compose up` is checked by reading it: the server's start-up checks on the
 * append limit, the data volume where the chosen image keeps its data, health checks behind every
 * `service_healthy`, and one EVENTSTORE_URL that names the log service and matches its security.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { APPEND_SIZE_CEILING } from '../event-store.port.js';
import { parseEventStoreUrl } from './connection-url.js';

interface Service {
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const text = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(text) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const log = compose.services.eventstore;

/** Where each image keeps its data and logs (their Dockerfiles' VOLUME lines). */
const IMAGES: Record<string, { data: string; logs: string }> = {
  'eventstore/eventstore:24.10': { data: '/var/lib/eventstore', logs: '/var/log/eventstore' },
  'docker.kurrent.io/kurrent-latest/kurrentdb:25.0': { data: '/var/lib/kurrentdb', logs: '/var/log/kurrentdb' },
};
/** ClusterVNodeOptionsValidator: MaxAppendSize above TFConsts.EffectiveMaxLogRecordSize stops the server at start. */
const SERVER_MAX_APPEND_SIZE_LIMIT = 16 * 1024 * 1024 - 10_000;

describe('docker-compose.yml', () => {
  it('runs an image it knows, with its volumes where that image keeps data and logs', () => {
    const paths = IMAGES[log.image ?? ''];
    expect(paths).toBeDefined();
    const mounts = (log.volumes ?? []).map((v) => v.split(':'));
    expect(mounts).toEqual(expect.arrayContaining([[expect.any(String), paths.data], [expect.any(String), paths.logs]]));
    for (const [volume] of mounts) expect(Object.keys(compose.volumes)).toContain(volume);
    expect(log.environment?.EVENTSTORE_MEM_DB).toBe('false');
  });

  it('documents the other image with its own data path', () => {
    const other = Object.entries(IMAGES).find(([image]) => image !== log.image)!;
    expect(text).toContain(`image: ${other[0]}`);
    expect(text).toContain(`eventstore-data:${other[1].data}`);
  });

  it('sets an append limit the server starts with and the writer stays within', () => {
    const limit = Number(log.environment?.EVENTSTORE_MAX_APPEND_SIZE);
    expect(Number.isSafeInteger(limit)).toBe(true);
    expect(limit).toBeLessThanOrEqual(SERVER_MAX_APPEND_SIZE_LIMIT);
    // The writer's groups (group-plan.ts) and the adapter's check follow the API's
    // EVENTSTORE_MAX_APPEND_SIZE (loadConfig; APPEND_SIZE_CEILING when unset): never above the server's.
    const apiLimit = Number(compose.services.api.environment?.EVENTSTORE_MAX_APPEND_SIZE ?? APPEND_SIZE_CEILING);
    expect(apiLimit).toBeLessThanOrEqual(limit);
  });

  it('has a health check on every service another waits for as healthy, the log\'s on /health/live', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[dependency]).toBeDefined();
        if (condition === 'service_healthy') expect({ name, dependency, healthcheck: compose.services[dependency].healthcheck?.test?.join(' ') }).toMatchObject({ healthcheck: expect.any(String) });
      }
    }
    expect(log.healthcheck?.test.join(' ')).toMatch(/curl -fsS http:\/\/localhost:2113\/health\/live/);
  });

  it('points the API and the projector at the log service with one URL that matches its security', () => {
    const urls = ['api', 'projector'].map((name) => compose.services[name].environment?.EVENTSTORE_URL);
    expect(new Set(urls).size).toBe(1);
    const target = parseEventStoreUrl(urls[0]!);
    expect(target.hosts).toEqual([{ host: 'eventstore', port: 2113 }]);
    expect(target.tls).toBe(log.environment?.EVENTSTORE_INSECURE !== 'true');
    for (const name of ['api', 'projector']) expect(compose.services[name].depends_on?.eventstore?.condition).toBe('service_healthy');
  });
});
