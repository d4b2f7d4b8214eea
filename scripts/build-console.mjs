// Builds the console (console/ → console/dist, served at /console), run by `npm install` and
// `npm ci` (postinstall) and by `npm run console:build`. Without Vite (an install that left out
// devDependencies) it says so and stops without failing the install: the gateway then answers
// /console with what to run.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = fileURLToPath(new URL('../console/vite.config.ts', import.meta.url));

if (!existsSync(new URL('../node_modules/vite/package.json', import.meta.url))) {
  console.warn('console: Vite is not installed (devDependencies left out?); /console will say it is not built');
  process.exit(0);
}
const { build } = await import('vite');
await build({ configFile: config, root: fileURLToPath(new URL('../console', import.meta.url)), logLevel: 'warn' });
console.log(`console: built into ${root}console/dist`);
