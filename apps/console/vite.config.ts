// Builds the operator console into dist/console, served by the gateway at /console/. JSX goes
// through Vite's own transform (no React plugin: no fast refresh needed for a built bundle).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.resolve(here, '../../dist/console'),
    emptyOutDir: true,
    sourcemap: false,
    // One small bundle: no inline module preload polyfill (the CSP allows no inline script).
    modulePreload: { polyfill: false },
  },
});
