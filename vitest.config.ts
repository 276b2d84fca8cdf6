import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    setupFiles: ['./relay/polyfills.mjs'],
    environment: 'node',
    testTimeout: 30_000,
    pool: 'forks'
  }
})
