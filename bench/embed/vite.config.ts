import { defineConfig } from 'vite'
import { fileURLToPath } from 'node:url'

// Builds the embedding benchmark page for `npm run bench:embed` into bench/.dist/embed. The app's public/
// directory comes along so the page serves the embedded model at /models/ exactly as the app does.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: fileURLToPath(new URL('../../public', import.meta.url)),
  worker: { format: 'es' },
  build: { outDir: fileURLToPath(new URL('../.dist/embed', import.meta.url)), emptyOutDir: true, target: 'es2022' },
  logLevel: 'warn'
})
