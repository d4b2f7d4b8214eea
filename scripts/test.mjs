// `npm test`: static checks (generated code fresh, types, lint), then node's test runner over
// test/**/*.test.ts against real PostgreSQL: an embedded one under the OS temp folder, or the
// server in TEST_DATABASE_URL. Migrations and pg-boss's schema are applied once to a template
// database; each test file clones its own from it (test/support/db.ts).
import './../bin/check-node.mjs';
import { spawnSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const skipChecks = args.includes('--no-checks');
const files = args.filter((a) => !a.startsWith('--'));

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!skipChecks) {
  const bin = (name) => path.join(root, 'node_modules', '.bin', name);
  console.log('> graphql-codegen --check');
  run(bin('graphql-codegen'), ['--config', 'codegen.yml', '--check']);
  console.log('> prisma generate');
  run(process.execPath, ['scripts/generate-prisma.mjs']);
  console.log('> tsc');
  run(bin('tsc'), ['-p', 'tsconfig.json']);
  console.log('> eslint');
  run(bin('eslint'), ['.']);
}

const { startEmbeddedPostgres } = await import('../src/db/embedded.ts');
const { prepareTemplate } = await import('../test/support/template.ts');

let embedded;
let serverUrl = process.env.TEST_DATABASE_URL;
let tmp;
if (!serverUrl) {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gw-test-pg-'));
  chmodSync(tmp, 0o755); // mkdtemp makes it 0700; as root, PostgreSQL's own user must enter it
  embedded = await startEmbeddedPostgres({ dir: path.join(tmp, 'data'), port: 20000 + Math.floor(Math.random() * 20000), ephemeral: true, maxConnections: 400 });
  serverUrl = embedded.url();
}
const template = await prepareTemplate(serverUrl);

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return findTests(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}
const testFiles = files.length > 0 ? files : findTests(path.join(root, 'test')).sort();

const child = spawn(process.execPath, ['--test', '--test-concurrency=3', '--test-timeout=120000', ...testFiles], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TEST_PG_SERVER_URL: serverUrl, TEST_PG_TEMPLATE: template },
});
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await embedded?.stop();
if (tmp) rmSync(tmp, { recursive: true, force: true });
process.exit(code);
