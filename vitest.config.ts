import { defineConfig } from 'vitest/config'

// Node 20 has WebSocket only behind a flag; libp2p's websockets transport dials with the global one.
const nodeMajor = Number(process.versions.node.split('.')[0])
const execArgv = nodeMajor < 22 ? ['--experimental-websocket'] : []

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    setupFiles: ['./relay/polyfills.mjs'],
    environment: 'node',
    testTimeout: 30_000,
    pool: 'forks',
    // Calendar-day logic (the calculator's "days until Christmas") reads today in the local zone; tests
    // fix the clock, so they fix the zone too.
    env: { TZ: 'UTC' },
    execArgv
  }
})
