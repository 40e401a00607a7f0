import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Type-aware linting (typescript-eslint `strictTypeChecked`, with `no-floating-promises`) on every
 * package's and app's sources, tests and benches (tests relax two rules, below).
 */
const typeChecked = ['packages/*/{src,test,bench}/**/*.ts', 'apps/*/{src,test,bench}/**/*.ts'];
const tests = ['packages/*/test/**/*.ts', 'apps/*/test/**/*.ts'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '**/vitest.config.ts', '**/*.tmp.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked.map((config) => ({ ...config, files: typeChecked })),
  {
    files: typeChecked,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => void x` and `cond && f()` one-liners are the codebase's idiom for "no value".
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // With noUncheckedIndexedAccess, `!` marks an index the surrounding code has just checked (hot loops).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Fields read after an await or in a callback may have changed (a session closed meanwhile);
      // TypeScript's narrowing does not see that, so this rule flags the very checks that matter.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-invalid-void-type': 'off',
    },
  },
  {
    files: tests,
    rules: {
      // vitest's asymmetric matchers (expect.any, objectContaining, stringMatching) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
);
