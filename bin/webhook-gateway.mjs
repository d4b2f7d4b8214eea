#!/usr/bin/env node
import './check-node.mjs';

await import('../src/main.ts');
