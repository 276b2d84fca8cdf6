/**
 * Command line entry of the relay.
 *   node --import ./relay/polyfills.mjs --import tsx relay/main.ts [--host H] [--port P] [--http-port P]
 *        [--announce MA,MA] [--key-file F] [--max-reservations N]
 * Every flag has an environment twin: MESHWORK_RELAY_HOST, _PORT, _HTTP_PORT, _ANNOUNCE, _KEY_FILE, _MAX_RESERVATIONS.
 */
import { createRelay, relayDefaults, type RelayOptions } from './relay.ts'
import { relayOptionsFrom } from './options.ts'

async function main (): Promise<void> {
  let opts: Partial<RelayOptions>
  try {
    opts = relayOptionsFrom(process.argv.slice(2), process.env)
  } catch (err: any) {
    console.error(`relay: ${err.message}`)
    process.exit(2)
  }
  const relay = await createRelay(opts)
  // A machine-readable line for scripts that start the relay (npm start, tests, benchmarks).
  console.log(`MESHWORK_RELAY_READY ${JSON.stringify({ peerId: relay.peerId, multiaddrs: relay.multiaddrs, httpPort: relay.httpPort })}`)
  const shutdown = (signal: string): void => {
    relayDefaults.log(`${signal}: shutting down`)
    relay.stop().then(() => process.exit(0), err => { console.error(err); process.exit(1) })
  }
  process.once('SIGINT', () => { shutdown('SIGINT') })
  process.once('SIGTERM', () => { shutdown('SIGTERM') })
}

main().catch(err => {
  console.error(`relay failed to start: ${err?.message ?? err}`)
  process.exit(1)
})
