import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

// One-way layers (ARCHITECTURE.md): app -> (graphql, http) -> domains -> platform, and the domains
// among themselves in this order only, so the folder graph has no cycle. A domain may import the
// domains listed for it, never one that lists it.
const DOMAINS = {
  signing: [],
  secrets: [],
  auth: [],
  audit: ['auth'],
  workspaces: ['audit', 'auth'],
  events: ['auth'],
  agent: ['auth', 'events', 'signing'],
  inbound: ['agent', 'audit', 'auth', 'events', 'secrets', 'signing'],
  outbound: ['audit', 'auth', 'events', 'secrets', 'signing'],
};
const element = (type) => ({ to: { element: { type } } });

export default tseslint.config(
  { ignores: ['node_modules/', 'src/generated/prisma/', '.data/', 'console/dist/', 'console/src/gql/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', fetch: 'readonly', AbortController: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Tests read GraphQL responses as loosely typed JSON.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // A test that does not run passes whatever the code does (scripts/test.mjs fails the run too).
    files: ['test/**/*.ts', 'test-browser/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        {
          selector: 'MemberExpression[property.name=/^(only|skip|todo)$/][object.name=/^(it|test|describe|suite|t|context)$/]',
          message: 'Every test runs: no .only, .skip or .todo (a test that cannot run here is listed in scripts/test.mjs, not skipped).',
        },
        {
          selector: 'CallExpression[callee.name=/^(it|test|describe|suite)$/] > ObjectExpression > Property[key.name=/^(only|skip|todo)$/]',
          message: 'Every test runs: no { only }, { skip } or { todo } option (a test that cannot run here is listed in scripts/test.mjs, not skipped).',
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': [
        { type: 'platform', pattern: ['src/platform', 'src/generated/prisma'] },
        ...Object.keys(DOMAINS).map((d) => ({ type: d, pattern: `src/${d}` })),
        { type: 'graphql', pattern: ['src/graphql', 'src/generated/graphql'] },
        { type: 'http', pattern: 'src/http' },
        { type: 'app', pattern: 'src/app' },
      ],
    },
    rules: {
      'boundaries/dependencies': [2, {
        default: 'disallow',
        policies: [
          { from: { element: { type: 'platform' } }, allow: element('platform') },
          ...Object.entries(DOMAINS).map(([d, deps]) => ({ from: { element: { type: d } }, allow: { to: { element: { types: { anyOf: ['platform', d, ...deps] } } } } })),
          { from: { element: { type: 'graphql' } }, allow: { to: { element: { types: { anyOf: ['platform', 'graphql', ...Object.keys(DOMAINS)] } } } } },
          { from: { element: { type: 'http' } }, allow: { to: { element: { types: { anyOf: ['platform', 'graphql', 'http', ...Object.keys(DOMAINS)] } } } } },
          { from: { element: { type: 'app' } }, allow: { to: { element: { types: { anyOf: ['platform', 'graphql', 'http', 'app', ...Object.keys(DOMAINS)] } } } } },
        ],
      }],
      'boundaries/no-unknown-files': 2,
      // Functions a reader can hold in view; the composition root (app/service.ts) is exempt.
      'max-lines-per-function': ['error', { max: 60 }],
    },
  },
  { files: ['src/app/service.ts'], rules: { 'max-lines-per-function': 'off' } },
  {
    // The console runs in the browser: its globals, and no HTML built from strings (SPEC §13:
    // what came from outside is rendered as text).
    files: ['console/**/*.{ts,tsx}'],
    languageOptions: {
      globals: {
        window: 'readonly', document: 'readonly', location: 'readonly', history: 'readonly', navigator: 'readonly', sessionStorage: 'readonly',
        crypto: 'readonly', btoa: 'readonly', fetch: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', console: 'readonly',
      },
    },
    rules: {
      'no-restricted-syntax': ['error',
        { selector: 'JSXAttribute[name.name="dangerouslySetInnerHTML"]', message: 'The console renders text, never HTML.' },
        { selector: 'AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]', message: 'The console renders text, never HTML.' },
      ],
    },
  },
);
