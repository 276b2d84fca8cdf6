import { defineConfig } from '@playwright/test'

// The e2e suite runs inside a private network namespace (test/e2e/run.mjs): start it with
// `npm run test:e2e`, not with `npx playwright test` directly.
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 1,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  retries: 0,
  reporter: process.env.CI !== undefined ? [['list'], ['line']] : 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']
    },
    trace: 'off'
  }
})
