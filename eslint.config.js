// Lint rules for Comity. Type-aware rules from typescript-eslint; generated code is skipped, and
// so is the adapter template (TypeScript only once `comity adapter new` has filled it in).
// The architecture rule: only core/kafka may import kafkajs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'core/gen/', '.cache/', '.comity/', 'test-results/', 'adapters/sdk/template/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      // Handlers are async by contract even when one does not await.
      '@typescript-eslint/require-await': 'off',
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'kafkajs', message: 'Only core/kafka talks to Kafka: import from core/kafka instead.' }] },
      ],
    },
  },
  {
    files: ['core/kafka/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The benchmark's part (a) is a bare kafkajs relay: the client's own limit, measured beside
    // Comity's path on the same broker. It must not go through core/kafka.
    files: ['bench/kafkajs-relay.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
