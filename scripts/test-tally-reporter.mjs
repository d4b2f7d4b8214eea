// A node:test reporter for scripts/test.mjs, beside the one that prints: it writes one JSON line
// with what the runner must check after the run — which files ran tests, which tests were skipped
// or left todo, and whether `.only` was used — so a test that is quietly not run fails `npm test`.
export default async function* tally(source) {
  const files = new Set();
  const skipped = [];
  const todo = [];
  let only = false;
  for await (const event of source) {
    const { data } = event;
    if (event.type === 'test:diagnostic' && /'only' and 'runOnly' require the --test-only/.test(data.message)) only = true;
    if ((event.type !== 'test:pass' && event.type !== 'test:fail') || data.details?.type === 'suite') continue;
    const where = { file: data.file ?? '', name: data.name };
    if (data.skip !== undefined && data.skip !== false) skipped.push(where);
    else if (data.todo !== undefined && data.todo !== false) todo.push(where);
    else if (data.file) files.add(data.file);
  }
  yield `${JSON.stringify({ files: [...files], skipped, todo, only })}\n`;
}
