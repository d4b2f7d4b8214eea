// Writes docs/events.md from the event catalogue (npm run docs:events).
import { writeFileSync } from 'node:fs';
import { eventDocsMarkdown } from '../src/events/catalog.ts';

writeFileSync(new URL('../docs/events.md', import.meta.url), eventDocsMarkdown());
