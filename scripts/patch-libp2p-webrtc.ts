/**
 * A build-time fix for @libp2p/webrtc 6.0.x: its private-to-private dialer can wait forever for its
 * 'init' data channel to open after the other side has already closed it (see
 * src/net/init-channel.ts for the race and how it was traced). This transform replaces that wait in
 * initiate-connection.js with a call to settleInitChannel.
 *
 * It fails the build when the code it replaces is not found, so a library upgrade that changes (or
 * fixes) that code is noticed instead of silently shipping without the fix.
 */
import { fileURLToPath } from 'node:url'

export const TARGET = /@libp2p[\\/]webrtc[\\/]dist[\\/]src[\\/]private-to-private[\\/]initiate-connection\.js$/

/** From the wait for 'open' to the wait for 'close', as in 6.0.x. */
const WAIT = /if \(channel\.readyState !== 'open'\) \{[\s\S]*?await pEvent\(channel, 'open', \{\s*signal\s*\}\);\s*\}[\s\S]*?channel\.close\(\);[\s\S]*?await pEvent\(channel, 'close', \{\s*signal\s*\}\);/

const MODULE = fileURLToPath(new URL('../src/net/init-channel.ts', import.meta.url))

/** The patched source of initiate-connection.js; throws if `code` is not the code this fixes. */
export function patchInitiateConnection (code: string, modulePath = MODULE): string {
  const matches = code.match(new RegExp(WAIT.source, 'g')) ?? []
  if (matches.length !== 1) {
    throw new Error(`patch-libp2p-webrtc: expected the init channel wait once in @libp2p/webrtc's initiate-connection.js, found it ${matches.length} times; check whether the library changed (or fixed) it and update scripts/patch-libp2p-webrtc.ts`)
  }
  const call = "log.trace('settling init channel');\n        await __meshworkSettleInitChannel(channel, signal);"
  return `import { settleInitChannel as __meshworkSettleInitChannel } from ${JSON.stringify(modulePath)};\n` + code.replace(WAIT, call)
}

interface TransformPlugin {
  name: string
  transform: (code: string, id: string) => { code: string, map: null } | null
}

/** For Vite's build (and, in optimizeDeps.rolldownOptions, for its dev pre-bundling). */
export function libp2pWebrtcInitChannelFix (): TransformPlugin {
  return {
    name: 'meshwork-libp2p-webrtc-init-channel',
    transform (code, id) {
      if (!TARGET.test(id.split('?')[0]!)) return null
      return { code: patchInitiateConnection(code), map: null }
    }
  }
}
