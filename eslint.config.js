import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'src/generated/', '.data/'] },
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
    files: ['test/**/*.ts'],
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
);
