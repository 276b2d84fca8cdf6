import { defineConfig } from 'vite'
import { fileURLToPath } from 'node:url'

// Builds the bare-libp2p baseline page for `npm run bench:mesh` into bench/.dist/baseline.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: { outDir: fileURLToPath(new URL('../.dist/baseline', import.meta.url)), emptyOutDir: true, target: 'es2022' },
  logLevel: 'warn'
})
