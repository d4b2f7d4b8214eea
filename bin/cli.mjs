#!/usr/bin/env node
import './check-node.mjs';

await import('../src/cli/cli.ts');
