/**
 * The end of a private-to-private WebRTC dial, as @libp2p/webrtc (6.0.x) should do it.
 *
 * The dialer creates a data channel named 'init' so its RTCPeerConnection has something to gather
 * ICE candidates for. Once connected it waits for that channel to open, closes it, and waits for
 * it to close. But the answering side closes 'init' as soon as it arrives (muxer.js, onDataChannel),
 * and in Chromium the dialer's channel can go open → closing → closed *before* its
 * RTCPeerConnection reports `connectionState === 'connected'`. The library then waits for an
 * 'open' event on a closed channel, which never comes, and the dial times out although the
 * connection is up (traced in bench:mesh with BENCH_PC_TRACE: 4 of 14 first dials at 5 tabs, each
 * costing a 6 s timeout and a second dial).
 *
 * This version waits only for what can still happen: for 'open' or 'close' while connecting, and
 * for 'close' unless the channel is closed already. scripts/patch-libp2p-webrtc.ts puts it in
 * place of the library's code at build time.
 */

/** The part of RTCDataChannel used here. */
export interface InitChannel extends EventTarget {
  readonly readyState: RTCDataChannelState
  close(): void
}

function next (channel: InitChannel, events: string[], signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      for (const e of events) channel.removeEventListener(e, done)
      signal?.removeEventListener('abort', abort)
      resolve()
    }
    const abort = (): void => {
      for (const e of events) channel.removeEventListener(e, done)
      reject(signal?.reason ?? new Error('aborted'))
    }
    if (signal?.aborted === true) { abort(); return }
    for (const e of events) channel.addEventListener(e, done)
    signal?.addEventListener('abort', abort)
  })
}

/**
 * Bring the dialer's 'init' channel to 'closed', whatever state it is in now. Resolves once it
 * is closed (so its id is not reused before both sides have seen it close); rejects if `signal`
 * aborts first. Returns what it found: 'open' (the usual case), or 'closing'/'closed' when the
 * other side had closed it already, the case the library got stuck on.
 */
export async function settleInitChannel (channel: InitChannel, signal?: AbortSignal): Promise<RTCDataChannelState> {
  const found = channel.readyState
  if (channel.readyState === 'connecting') await next(channel, ['open', 'close'], signal)
  if (channel.readyState === 'open') channel.close()
  if (channel.readyState !== 'closed') await next(channel, ['close'], signal)
  return found
}
