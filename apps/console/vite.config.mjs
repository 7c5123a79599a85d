// The operator console's build (npm run build runs it after tsc): Preact, bundled by Vite into
// dist/apps/console, which the API serves at /console (apps/api/src/http/console.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The bundle is about 300 KiB; past this something heavy slipped in (Vite warns). */
const CHUNK_KIB_MAX = 512;

export default defineConfig({
  root: here('.'),
  base: '/console/',
  logLevel: 'warn',
  // No public/ folder: every file the console loads is in the bundle.
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    // The SDK's webhook verifier imports node:crypto; the console never verifies webhooks, and
    // the browser has no node:crypto. The stub throws if it is ever called.
    alias: { 'node:crypto': here('src/node-crypto-stub.js') },
  },
  build: {
    outDir: here('../../dist/apps/console'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: CHUNK_KIB_MAX,
    // The polyfill would be an inline script, which the Content-Security-Policy refuses.
    modulePreload: { polyfill: false },
  },
});
