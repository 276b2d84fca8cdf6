/**
 * Where the node's settings come from, in order of precedence: URL parameters (`?relay=`, `?room=`,
 * `?ice=`), the person's saved settings, what the serving host says in `/config.json` (that is how
 * `npm start` gives zero-configuration relay addresses), then defaults. Every value is validated
 * here so a bad address or room name gets a specific error instead of a node that silently fails.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { DEFAULT_ROOM, parseRoom, RoomNameError } from './rooms.ts'

export interface MeshConfig {
  relays: string[]
  room: string
  iceServers: RTCIceServer[]
}

export interface ConfigProblem {
  source: 'url' | 'settings' | 'server'
  field: 'relay' | 'room' | 'ice'
  message: string
}

export class RelayAddressError extends Error {
  constructor (readonly input: string, reason: string) {
    super(`Invalid relay address ${JSON.stringify(input.slice(0, 200))}: ${reason}`)
    this.name = 'RelayAddressError'
  }
}

/** Checks a relay multiaddr: it must parse, use WebSockets (ws or wss) and end with the relay's /p2p/ id. */
export function parseRelayAddress (input: string): Multiaddr {
  const text = input.trim()
  if (text.length === 0) throw new RelayAddressError(input, 'it is empty')
  if (!text.startsWith('/')) throw new RelayAddressError(input, 'a multiaddr starts with "/", e.g. /dns4/relay.example.org/tcp/443/wss/p2p/12D3KooW...')
  let ma: Multiaddr
  try {
    ma = multiaddr(text)
  } catch (err) {
    throw new RelayAddressError(input, `it does not parse as a multiaddr (${(err as Error).message})`)
  }
  const names = ma.getComponents().map(c => c.name)
  if (!names.includes('ws') && !names.includes('wss') && !names.includes('tls')) {
    throw new RelayAddressError(input, 'browsers reach a relay over WebSockets: the address needs /ws or /wss')
  }
  if (names.at(-1) !== 'p2p') throw new RelayAddressError(input, 'it must end with /p2p/<relay peer id>')
  return ma
}

/** Parses ICE servers: a JSON array of RTCIceServer, or a comma-separated list of stun:/turn: URLs. */
export function parseIceServers (input: string): RTCIceServer[] {
  const text = input.trim()
  if (text === '' || text === 'none') return []
  if (text.startsWith('[')) {
    let raw: unknown
    try { raw = JSON.parse(text) } catch (err) { throw new Error(`ICE servers: not valid JSON (${(err as Error).message})`) }
    if (!Array.isArray(raw)) throw new Error('ICE servers: expected a JSON array')
    return raw.map((s, i) => {
      if (typeof s !== 'object' || s === null || !('urls' in s)) throw new Error(`ICE servers: entry ${i} needs "urls"`)
      const urls = (s as RTCIceServer).urls
      const list = Array.isArray(urls) ? urls : [urls]
      for (const u of list) checkIceUrl(String(u))
      return s as RTCIceServer
    })
  }
  return text.split(',').map(s => s.trim()).filter(Boolean).map(u => { checkIceUrl(u); return { urls: u } })
}

function checkIceUrl (u: string): void {
  if (!/^(stun|stuns|turn|turns):[^\s]+$/.test(u)) throw new Error(`ICE servers: ${JSON.stringify(u)} is not a stun:, stuns:, turn: or turns: URL`)
}

export interface ConfigSources {
  url: URLSearchParams
  settings: Partial<Record<'relay' | 'room' | 'ice', string>>
  server: { relays?: string[], iceServers?: RTCIceServer[], room?: string, model?: string } | undefined
}

/**
 * Merges the sources. Invalid values are skipped (the next source is used) and reported in
 * `problems`, so a typo in a URL parameter shows an error without leaving the tab dead.
 */
export function resolveConfig (src: ConfigSources): { config: MeshConfig, problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = []

  let relays: string[] | undefined
  const tryRelays = (source: ConfigProblem['source'], list: string[] | undefined): void => {
    if (relays !== undefined || list === undefined || list.length === 0) return
    const ok: string[] = []
    for (const r of list) {
      try { ok.push(parseRelayAddress(r).toString()) } catch (err) { problems.push({ source, field: 'relay', message: (err as Error).message }) }
    }
    if (ok.length > 0) relays = ok
  }
  const split = (s: string | null | undefined): string[] | undefined => s == null ? undefined : s.split(',').map(x => x.trim()).filter(Boolean)
  tryRelays('url', split(src.url.get('relay')))
  tryRelays('settings', split(src.settings.relay))
  tryRelays('server', src.server?.relays)

  let room: string | undefined
  const tryRoom = (source: ConfigProblem['source'], r: string | null | undefined): void => {
    if (room !== undefined || r == null) return
    try { room = parseRoom(r) } catch (err) {
      problems.push({ source, field: 'room', message: err instanceof RoomNameError ? err.message : String(err) })
    }
  }
  tryRoom('url', src.url.get('room'))
  tryRoom('settings', src.settings.room)
  tryRoom('server', src.server?.room)

  let iceServers: RTCIceServer[] | undefined
  const tryIce = (source: ConfigProblem['source'], s: string | null | undefined): void => {
    if (iceServers !== undefined || s == null) return
    try { iceServers = parseIceServers(s) } catch (err) { problems.push({ source, field: 'ice', message: (err as Error).message }) }
  }
  tryIce('url', src.url.get('ice'))
  tryIce('settings', src.settings.ice)
  if (iceServers === undefined && src.server?.iceServers !== undefined) iceServers = src.server.iceServers

  return { config: { relays: relays ?? [], room: room ?? DEFAULT_ROOM, iceServers: iceServers ?? [] }, problems }
}

const SETTINGS_KEY = 'meshwork.settings.v1'

export function loadSettings (): ConfigSources['settings'] {
  try {
    const raw = localStorage.getItem(SETTINGS_KEY)
    if (raw == null) return {}
    const obj = JSON.parse(raw) as Record<string, unknown>
    const out: ConfigSources['settings'] = {}
    for (const k of ['relay', 'room', 'ice'] as const) if (typeof obj[k] === 'string') out[k] = obj[k]
    return out
  } catch {
    return {}
  }
}

export function saveSettings (s: ConfigSources['settings']): void {
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(s))
}

/** Asks the serving host for its configuration; a host without one (a plain static server) is fine. */
export async function fetchServerConfig (signal?: AbortSignal): Promise<ConfigSources['server']> {
  try {
    const res = await fetch('/config.json', { cache: 'no-store', signal })
    if (!res.ok) return undefined
    const body = await res.json() as unknown
    if (typeof body !== 'object' || body === null) return undefined
    return body as ConfigSources['server']
  } catch {
    return undefined
  }
}
