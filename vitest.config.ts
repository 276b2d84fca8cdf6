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
    execArgv
  }
})
