// `npm test`: static checks (generated code fresh, types, lint), then node's test runner over
// test/**/*.test.ts against real PostgreSQL: an embedded one under the OS temp folder, or the
// server in TEST_DATABASE_URL. Migrations and pg-boss's schema are applied once to a template
// database; each test file clones its own from it (test/support/db.ts).
//
// A test that does not run is a test that passes whatever the code does, so the run fails when any
// test is skipped or todo, when `.only` is used, and when fewer files ran tests than were given
// (every test/**/*.test.ts by default). The one way to leave a file out is EMBEDDED_ONLY below.
import './../bin/check-node.mjs';
import { spawnSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Files that test the embedded configuration itself (`npm start` bringing up its own PostgreSQL,
 * the checks it makes as root, the `postgres` user it creates): they run whenever the tests use the
 * embedded server, as CI does, and are left out under TEST_DATABASE_URL, where the machine may
 * offer no such configuration. Listed here, never skipped inside the file.
 */
const EMBEDDED_ONLY = ['test/e2e/start.test.ts'];
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
  run(bin('tsc'), ['-p', 'console/tsconfig.json']);
  console.log('> eslint');
  run(bin('eslint'), ['.']);
}

const { startEmbeddedPostgres } = await import('../src/platform/db/embedded.ts');
const freePort = () => new Promise((resolve, reject) => {
  const server = net.createServer().once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const { prepareTemplate } = await import('../test/support/template.ts');

let embedded;
let serverUrl = process.env.TEST_DATABASE_URL;
let tmp;
if (!serverUrl) {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gw-test-pg-'));
  chmodSync(tmp, 0o755); // mkdtemp makes it 0700; as root, PostgreSQL's own user must enter it
  // A port the OS just handed out, tried again on another if something took it meanwhile.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      embedded = await startEmbeddedPostgres({ dir: path.join(tmp, `data-${attempt}`), port, ephemeral: true, maxConnections: 400 });
      break;
    } catch (err) {
      if (attempt >= 5 || !/Address already in use/.test(err.message)) throw err;
    }
  }
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
const relative = (file) => path.relative(root, path.resolve(root, file)).split(path.sep).join('/');
const given = (files.length > 0 ? files : findTests(path.join(root, 'test'))).map(relative).sort();
const leftOut = process.env.TEST_DATABASE_URL ? given.filter((f) => EMBEDDED_ONLY.includes(f)) : [];
const testFiles = given.filter((f) => !leftOut.includes(f));
if (leftOut.length > 0) console.log(`> left out under TEST_DATABASE_URL (they test the embedded configuration): ${leftOut.join(', ')}`);

const reportDir = mkdtempSync(path.join(os.tmpdir(), 'gw-test-report-'));
const tallyFile = path.join(reportDir, 'tally.json');
const child = spawn(process.execPath, [
  '--test', '--test-concurrency=3', '--test-timeout=120000',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  `--test-reporter=${path.join(root, 'scripts', 'test-tally-reporter.mjs')}`, `--test-reporter-destination=${tallyFile}`,
  ...testFiles,
], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TEST_PG_SERVER_URL: serverUrl, TEST_PG_TEMPLATE: template },
});
let code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await embedded?.stop();
if (tmp) rmSync(tmp, { recursive: true, force: true });

// What node's summary counts but does not fail on.
const problems = [];
let tally;
try {
  tally = JSON.parse(readFileSync(tallyFile, 'utf8'));
} catch {
  problems.push('the test runner wrote no tally (it stopped before the end of the run)');
}
rmSync(reportDir, { recursive: true, force: true });
if (tally) {
  const ran = new Set(tally.files.map(relative));
  const silent = testFiles.filter((f) => !ran.has(f));
  const named = (tests) => tests.map((t) => `${relative(t.file)}: ${t.name}`).join('; ');
  if (tally.skipped.length > 0) problems.push(`${tally.skipped.length} skipped: ${named(tally.skipped)}`);
  if (tally.todo.length > 0) problems.push(`${tally.todo.length} todo: ${named(tally.todo)}`);
  if (tally.only) problems.push('`.only` was used: the other tests of its file did not run as written');
  if (silent.length > 0) problems.push(`${ran.size} of ${testFiles.length} test files ran tests; none ran in ${silent.join(', ')}`);
}
for (const p of problems) console.error(`npm test: ${p}`);
if (problems.length > 0 && code === 0) code = 1;
process.exit(code);
