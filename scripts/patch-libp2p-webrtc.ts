/**
 * Build-time fixes for @libp2p/webrtc 6.0.x, applied by Vite (build and dev pre-bundling):
 *
 * 1. initiate-connection.js: the private-to-private dialer could wait forever for its 'init' data
 *    channel to open after the other side had already closed it (see src/net/init-channel.ts for the
 *    race and how it was traced); the wait is replaced with a call to settleInitChannel.
 * 2. stream.js: every libp2p message went out as two data-channel messages, its length prefix and
 *    its body (the stream sends each buffer of a Uint8ArrayList separately), doubling the SCTP
 *    messages, and the WebRTC, network-service and IPC work of each, for every protocol; now one.
 *    The receiving side reads a byte stream either way, so patched and unpatched tabs interoperate.
 *
 * Each patch fails the build when the code it replaces is not found exactly once, so a library upgrade
 * that changes (or fixes) that code is noticed instead of silently shipping without the fix.
 */
import { fileURLToPath } from 'node:url'
import { replaceOnce as replaceSource, sourcePatchPlugin, type TransformPlugin } from './source-patch.ts'

export const TARGET = /@libp2p[\\/]webrtc[\\/]dist[\\/]src[\\/]private-to-private[\\/]initiate-connection\.js$/
export const STREAM_TARGET = /@libp2p[\\/]webrtc[\\/]dist[\\/]src[\\/]stream\.js$/

/** From the wait for 'open' to the wait for 'close', as in 6.0.x. */
const WAIT = /if \(channel\.readyState !== 'open'\) \{[\s\S]*?await pEvent\(channel, 'open', \{\s*signal\s*\}\);\s*\}[\s\S]*?channel\.close\(\);[\s\S]*?await pEvent\(channel, 'close', \{\s*signal\s*\}\);/

/** The loop in _sendMessage that sends each buffer of the list as its own message. */
const SEND_EACH = /for \(const buf of data\) \{\s*this\.channel\.send\(withArrayBuffer\(buf\)\);\s*\}/

const MODULE = fileURLToPath(new URL('../src/net/init-channel.ts', import.meta.url))

function replaceOnce (code: string, pattern: RegExp, replacement: string, what: string): string {
  return replaceSource(code, pattern, replacement, found => `patch-libp2p-webrtc: expected ${what} once in @libp2p/webrtc, found it ${found} times; check whether the library changed (or fixed) it and update scripts/patch-libp2p-webrtc.ts`)
}

/** The patched source of initiate-connection.js; throws if `code` is not the code this fixes. */
export function patchInitiateConnection (code: string, modulePath = MODULE): string {
  const call = "log.trace('settling init channel');\n        await __meshworkSettleInitChannel(channel, signal);"
  return `import { settleInitChannel as __meshworkSettleInitChannel } from ${JSON.stringify(modulePath)};\n` +
    replaceOnce(code, WAIT, call, "the init channel wait in initiate-connection.js")
}

/** The patched source of stream.js: one data-channel message per libp2p message. */
export function patchStream (code: string): string {
  return replaceOnce(code, SEND_EACH, '// one message: length prefix and body together (meshwork patch)\n            this.channel.send(withArrayBuffer(data.subarray()));', "the per-buffer send loop in stream.js")
}

/** For Vite's build (and, in optimizeDeps.rolldownOptions, for its dev pre-bundling). */
export function libp2pWebrtcFixes (): TransformPlugin {
  return sourcePatchPlugin('meshwork-libp2p-webrtc-fixes', [
    { target: TARGET, patch: code => patchInitiateConnection(code) },
    { target: STREAM_TARGET, patch: patchStream }
  ])
}
