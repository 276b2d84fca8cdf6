/** Relay options from command-line flags, each with an environment twin (MESHWORK_RELAY_<NAME>). */
import { parseArgs } from 'node:util'
import type { RelayOptions } from './relay.ts'

export const USAGE = 'usage: relay [--host 127.0.0.1] [--port 9090] [--http-port 9091] [--announce /dns4/example.org/tcp/443/wss] [--key-file .relay/key] [--max-reservations 1024]'

export function relayOptionsFrom (argv: string[], env: NodeJS.ProcessEnv): Partial<RelayOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'http-port': { type: 'string' },
      announce: { type: 'string' },
      'key-file': { type: 'string' },
      'max-reservations': { type: 'string' },
      help: { type: 'boolean' }
    },
    strict: true
  })
  if (values.help === true) {
    console.log(USAGE)
    process.exit(0)
  }
  const pick = (flag: string | undefined, name: string): string | undefined => flag ?? env[`MESHWORK_RELAY_${name}`]
  const int = (s: string | undefined, name: string, min: number): number | undefined => {
    if (s === undefined) return undefined
    const n = Number(s)
    if (!Number.isInteger(n) || n < min || n > 65535 * 1000) throw new Error(`--${name.toLowerCase().replace(/_/g, '-')} must be a whole number >= ${min}, got ${JSON.stringify(s)}`)
    return n
  }
  const out: Partial<RelayOptions> = {}
  const host = pick(values.host, 'HOST'); if (host !== undefined) out.host = host
  const port = int(pick(values.port, 'PORT'), 'PORT', 0); if (port !== undefined) out.port = port
  const httpPort = int(pick(values['http-port'], 'HTTP_PORT'), 'HTTP_PORT', -1); if (httpPort !== undefined) out.httpPort = httpPort
  const announce = pick(values.announce, 'ANNOUNCE'); if (announce !== undefined) out.announce = announce.split(',').map(s => s.trim()).filter(Boolean)
  const keyFile = pick(values['key-file'], 'KEY_FILE'); if (keyFile !== undefined) out.keyFile = keyFile
  const maxRes = int(pick(values['max-reservations'], 'MAX_RESERVATIONS'), 'MAX_RESERVATIONS', 1); if (maxRes !== undefined) out.maxReservations = maxRes
  return out
}

