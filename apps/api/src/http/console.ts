import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from './api-error.js';

/** Where `npm run build` puts the console (Vite's output): dist/apps/console beside dist/apps/api. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));

/** The console is a few hashed files; more than this means the folder is not the console's build. */
const CONSOLE_FILES_MAX = 64;
/** Its whole build stays small (it is served from memory); Vite's output today is about 300 KiB. */
const CONSOLE_BYTES_MAX = 8 * 1024 * 1024;
/** Hashed assets never change under their name; a year is the longest cache browsers honour. */
const ASSET_CACHE_SECONDS = 365 * 24 * 60 * 60;

/**
 * The console only talks to its own origin (the API, through @zentra/sdk) and loads only its own
 * files: no inline script or style, no third party, no framing, no form posts elsewhere. The API
 * key lives in sessionStorage, so a script injection is what would leak it; this is what stops one.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

interface ConsoleFile {
  body: Buffer;
  type: string;
}

/** Every file of the build, by its path under /console/ ('' for none when the console was not built). */
function readBuild(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  let bytes = 0;
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const type = CONTENT_TYPES[extname(name)];
      if (!type) continue;
      const body = readFileSync(path);
      bytes += body.length;
      if (files.size >= CONSOLE_FILES_MAX || bytes > CONSOLE_BYTES_MAX) throw new Error(`${dir} holds more than a console build (${CONSOLE_FILES_MAX} files, ${CONSOLE_BYTES_MAX} bytes)`);
      files.set(relative(dir, path).split(sep).join('/'), { body, type });
    }
  };
  try {
    walk(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  return files;
}

function notFound(reply: FastifyReply, what: string) {
  const error = new ApiError(404, 'not_found', what, {});
  return reply.status(404).header('content-type', 'application/json').send(error.toBody());
}

/**
 * GET /console serves the operator console: its files are read once at start and served from
 * memory. Any other path under /console/ that is not a file is one of the app's own pages
 * (/console/accounts/...), so it gets index.html and the app's router takes it from there.
 * Not through @fastify/static: jest's ESM loader cannot import it (see api-app.ts), and a
 * handful of files read once needs no more than this.
 */
export function installConsole(fastify: FastifyInstance, dir = CONSOLE_DIR): void {
  const files = readBuild(dir);
  const index = files.get('index.html');
  const send = (reply: FastifyReply, file: ConsoleFile, cache: string) =>
    reply
      .header('content-type', file.type)
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', cache)
      .send(file.body);
  const page = (reply: FastifyReply) => (index ? send(reply, index, 'no-cache') : notFound(reply, 'the console is not built: run npm run build'));
  fastify.get('/console', async (_request, reply) => page(reply));
  fastify.get('/console/*', async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const file = files.get(path);
    if (file && path !== 'index.html') return send(reply, file, `public, max-age=${ASSET_CACHE_SECONDS}, immutable`);
    // A missing asset is a 404, not the page: a stale tab asking for an old bundle must see it fail.
    if (path.startsWith('assets/') || extname(path) !== '') return notFound(reply, `no console file ${path}`);
    return page(reply);
  });
}
