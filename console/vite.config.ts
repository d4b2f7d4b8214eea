// The console's build (SPEC §13): every asset bundled into dist/ (no CDN, no inline script), served
// by the gateway at /console. `npm install` runs it (scripts/build-console.mjs).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Files, never data: URLs or inline code, so the CSP stays 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  logLevel: 'warn',
});
