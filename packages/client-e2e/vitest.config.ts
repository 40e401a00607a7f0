import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@hearth/source'] },
  ssr: { resolve: { conditions: ['@hearth/source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 20_000 },
});
