// Plain JavaScript on purpose: it must run on an old Node and say what is needed, before Node
// tries (and fails) to load TypeScript sources.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `webhook-gateway needs Node.js >= 22.19 (Node 24 LTS recommended); this is Node ${process.versions.node}.\n` +
      'Install Node 24, for example: npm install --prefix ~/.node24 node@24 && export PATH=~/.node24/node_modules/.bin:$PATH\n',
  );
  process.exit(1);
}
