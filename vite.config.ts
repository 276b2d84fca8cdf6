import { readdirSync } from 'node:fs'
import { defineConfig, type Plugin } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { VitePWA } from 'vite-plugin-pwa'
import { libp2pWebrtcFixes } from './scripts/patch-libp2p-webrtc.ts'
import { automergeRepoFixes } from './scripts/patch-automerge-repo.ts'

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp'
}

/**
 * In dev, `npm run dev` puts the relay's addresses in MESHWORK_DEV_CONFIG; serve them as /config.json
 * like the production server does, and answer missing /models/ files with a real 404 (Vite's SPA
 * fallback would send index.html with status 200).
 */
function devServerConfig (): Plugin {
  return {
    name: 'meshwork-dev-config',
    configureServer (server) {
      server.middlewares.use((req, res, next) => {
        // The agent worker's own Content Security Policy, as scripts/serve.mjs sends it in production.
        if (req.url?.includes('agent.worker') === true) res.setHeader('content-security-policy', "default-src 'none'; script-src 'self' blob: 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'none'")
        if (req.url?.startsWith('/config.json') === true) {
          res.setHeader('content-type', 'application/json')
          res.setHeader('cache-control', 'no-store')
          res.end(process.env.MESHWORK_DEV_CONFIG ?? '{}')
          return
        }
        next()
      })
    }
  }
}

// MESHWORK_TEST_PAGES=1 (e2e runs only) also builds the e2e suites' own pages, test/e2e/pages/*.html.
const testPages = process.env.MESHWORK_TEST_PAGES === '1'
  ? { rolldownOptions: { input: ['index.html', ...readdirSync('test/e2e/pages').filter(f => f.endsWith('.html')).map(f => `test/e2e/pages/${f}`)] } }
  : {}

export default defineConfig({
  plugins: [
    // @libp2p/webrtc: a dialer that could wait forever on a closed 'init' channel; two messages per message.
    libp2pWebrtcFixes(),
    // @automerge/automerge-repo: a DocHandle diffs each change for its event only when a listener reads the patches.
    automergeRepoFixes(),
    svelte(),
    devServerConfig(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      includeAssets: ['icons/*.png'],
      manifest: {
        name: 'Meshwork',
        short_name: 'Meshwork',
        description: 'A peer-to-peer mesh of AI agents in your browser tabs',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#111827',
        theme_color: '#111827',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
        ]
      },
      workbox: {
        // The Automerge wasm (3.6 MB) is precached so the graph opens offline; the 14 MB ONNX wasm and
        // the models are cached on first use instead (runtimeCaching below).
        // The QuickJS wasm (0.5 MB) too, so the JavaScript runner agent works offline from the first visit.
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}', 'assets/automerge*.wasm', 'assets/emscripten-module*.wasm'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/models\//, /^\/config\.json/],
        runtimeCaching: [
          {
            // The last relay addresses the server gave, so an offline reload still knows where to look.
            urlPattern: ({ url }) => url.pathname === '/config.json',
            handler: 'NetworkFirst',
            options: { cacheName: 'meshwork-config', networkTimeoutSeconds: 3 }
          },
          {
            urlPattern: ({ url }) => url.pathname.startsWith('/models/') || url.pathname.endsWith('.wasm'),
            handler: 'CacheFirst',
            options: { cacheName: 'meshwork-large-assets', matchOptions: { ignoreVary: true } }
          }
        ]
      }
    })
  ],
  // Transformers.js imports onnxruntime-web's WebGPU build, whose wasm is the 27 MB "asyncify" one. The
  // app runs the model on the CPU (WASM) only, so it takes the plain WASM build (14 MB): half the bytes for
  // every tab to fetch and compile at start-up, and no asyncify instrumentation in the running code.
  resolve: { alias: [{ find: /^onnxruntime-web\/webgpu$/, replacement: 'onnxruntime-web/wasm' }] },
  // The graph worker holds the Repo and its DocHandles: the same change applies there.
  worker: { format: 'es', plugins: () => [automergeRepoFixes()] },
  optimizeDeps: {
    exclude: ['@huggingface/transformers', 'onnxruntime-web', '@automerge/automerge'],
    // `npm run dev` pre-bundles @libp2p/webrtc and @automerge/automerge-repo; the same changes apply there.
    rolldownOptions: { plugins: [libp2pWebrtcFixes(), automergeRepoFixes()] }
  },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096, ...testPages },
  server: { headers: isolation },
  preview: { headers: isolation }
})
