// The app's static server: serves the built app (dist/) with the headers it needs, answers
// /config.json with the relay addresses (zero configuration for the tabs), gives a real 404 under
// /models/ (an SPA fallback there would hand Transformers.js index.html), and falls back to
// index.html only for navigations.
import { createServer } from 'node:http'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { extname, join, normalize, resolve } from 'node:path'

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json'
}

/** Headers every response carries: cross-origin isolation lets ONNX Runtime use threads. */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin'
}

/**
 * The agent workers' script (built-ins and sandboxed custom code) carries its own Content Security
 * Policy, which a dedicated worker takes from its script's response: code may load only from this
 * origin or a Blob URL (how custom source is imported), and fetch only from this origin (built-ins'
 * wasm). A custom agent's `import('https://elsewhere/…')` is refused by the browser.
 */
export const AGENT_WORKER_CSP = "default-src 'none'; script-src 'self' blob: 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'none'"
const AGENT_WORKER_SCRIPT = /\/assets\/agent\.worker-[\w-]+\.js$/

/**
 * The relay addresses a tab should use. When the relay listens on every interface and announces
 * nothing, the address is rebuilt with the host name the browser used to reach this server, so a
 * tab opened from another machine on the LAN dials the relay on the right host.
 */
export function relayAddrsFor (relay, requestHost) {
  if (relay == null) return []
  if (relay.announce?.length > 0) return relay.announce.map(a => a.includes('/p2p/') ? a : `${a}/p2p/${relay.peerId}`)
  if (relay.host === '0.0.0.0' && requestHost) {
    const host = requestHost.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
    const proto = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? 'ip4' : host.includes(':') ? 'ip6' : 'dns4'
    return [`/${proto}/${host}/tcp/${relay.port}/ws/p2p/${relay.peerId}`]
  }
  return relay.multiaddrs
}

export function createAppServer ({ root, getRelay, iceServers = [], model, log = console.log }) {
  const base = resolve(root)
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = decodeURIComponent(url.pathname)
    const headers = { ...ISOLATION_HEADERS }
    if (path === '/config.json') {
      const body = JSON.stringify({ relays: relayAddrsFor(getRelay(), req.headers.host), iceServers, ...(model ? { model } : {}) })
      res.writeHead(200, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(body)
      return
    }
    const file = normalize(join(base, path))
    if (!file.startsWith(base)) { res.writeHead(400, headers); res.end('bad path'); return }
    let target = file
    let st = await stat(target).catch(() => undefined)
    if (st?.isDirectory()) { target = join(target, 'index.html'); st = await stat(target).catch(() => undefined) }
    if (st === undefined) {
      const wantsPage = extname(path) === '' && !path.startsWith('/models/') && (req.headers.accept ?? '').includes('text/html')
      if (!wantsPage) {
        res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' })
        res.end(`not found: ${path}`)
        return
      }
      target = join(base, 'index.html')
      st = await stat(target).catch(() => undefined)
      if (st === undefined) { res.writeHead(500, headers); res.end('the app is not built: run npm run build'); return }
    }
    const type = TYPES[extname(target)] ?? 'application/octet-stream'
    const immutable = target.includes(`${join(base, 'assets')}`)
    res.writeHead(200, {
      ...headers,
      ...(AGENT_WORKER_SCRIPT.test(path) ? { 'content-security-policy': AGENT_WORKER_CSP } : {}),
      'content-type': type,
      'content-length': st.size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache'
    })
    if (req.method === 'HEAD') { res.end(); return }
    createReadStream(target).pipe(res)
  })
}
