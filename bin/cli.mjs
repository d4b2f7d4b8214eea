#!/usr/bin/env node
import './check-node.mjs';

await import('../src/app/cli.ts');
