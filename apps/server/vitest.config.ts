import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@hearth/source'] },
  ssr: { resolve: { conditions: ['@hearth/source'] } },
  test: { include: ['test/**/*.test.ts'], typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] }, testTimeout: 20_000, hookTimeout: 60_000 },
});
