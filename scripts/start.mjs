// `npm start`: builds the app if needed, starts the relay and the app server on localhost, and
// prints the URL to open in several tabs. Zero configuration: the app asks this server for the
// relay address. Settings by environment: PORT (app, default 8080), RELAY_PORT (9090),
// RELAY_HTTP_PORT (9091), HOST (127.0.0.1; 0.0.0.0 to let other machines on the LAN join),
// MESHWORK_ICE_SERVERS (comma-separated stun:/turn: URLs).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRelay } from './relay-process.mjs'
import { createAppServer } from './serve.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const host = process.env.HOST ?? '127.0.0.1'
const port = Number(process.env.PORT ?? 8080)

function newestMtime (dir) {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return t
}

const built = join(root, 'dist', 'index.html')
const inputs = ['src', 'public', 'index.html', 'vite.config.ts'].map(p => join(root, p))
const stale = !existsSync(built) || inputs.some(p => existsSync(p) && (statSync(p).isDirectory() ? newestMtime(p) : statSync(p).mtimeMs) > statSync(built).mtimeMs)
const dev = process.argv.includes('--dev')
// The embedded embedding model is generated, never committed: make sure it exists (fast when it does).
const modelBuild = spawnSync(process.execPath, [join(root, 'scripts/build-model.mjs')], { cwd: root, stdio: 'inherit' })
if (modelBuild.status !== 0) { console.error('building the embedded model failed'); process.exit(1) }
if (!dev && (stale || process.argv.includes('--build'))) {
  console.log('building the app…')
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) { console.error('build failed'); process.exit(1) }
}

const relay = await startRelay({ host, port: Number(process.env.RELAY_PORT ?? 9090), httpPort: Number(process.env.RELAY_HTTP_PORT ?? 9091) })
// MESHWORK_MODEL: the embedding model tabs use unless the person picks one (default: the online
// MiniLM, falling back to the embedded model when the hub is unreachable).
const model = process.env.MESHWORK_MODEL || undefined
const iceServers = (process.env.MESHWORK_ICE_SERVERS ?? '').split(',').map(s => s.trim()).filter(Boolean).map(urls => ({ urls }))
if (dev) {
  // Vite's dev server with hot reload; it serves /config.json from this variable (vite.config.ts).
  process.env.MESHWORK_DEV_CONFIG = JSON.stringify({ relays: relay.multiaddrs, iceServers, ...(model ? { model } : {}) })
  const { createServer } = await import('vite')
  const vite = await createServer({ root, server: { host, port } })
  await vite.listen()
  vite.printUrls()
  console.log(`relay ${relay.multiaddrs[0]}`)
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { void vite.close().then(() => relay.stop()).then(() => process.exit(0)) })
} else {
  const server = createAppServer({ root: join(root, 'dist'), getRelay: () => relay, iceServers, model })
  server.on('error', err => {
    console.error(err.code === 'EADDRINUSE' ? `port ${port} is in use: set PORT to another port` : err.message)
    void relay.stop().then(() => process.exit(1))
  })
  server.listen(port, host, () => {
    const shown = host === '0.0.0.0' ? 'localhost' : host
    console.log(`\nMeshwork is running.\n  open  http://${shown}:${port}/  in several tabs or browsers (same room: ?room=NAME)\n  relay ${relay.multiaddrs[0]}\n  health http://${shown}:${relay.httpPort}/health\nCtrl-C stops both.`)
  })
  let stopping = false
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      if (stopping) return
      stopping = true
      server.close()
      void relay.stop().then(() => process.exit(0))
    })
  }
}
