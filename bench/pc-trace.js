// BENCH_PC_TRACE=1 npm run bench:mesh: loaded into every tab before the page's scripts, it wraps
// RTCPeerConnection to record each connection's state changes, candidates and 'init' data channel
// events (window.__pcs). That is how the dialer's wait on an already-closed 'init' channel was found
// (src/net/init-channel.ts).
(() => {
  const Orig = globalThis.RTCPeerConnection
  if (!Orig) return
  const pcs = []
  const live = []
  globalThis.__pcs = pcs
  // Data-channel traffic of this tab's open peer connections so far (messages and bytes, both ways).
  globalThis.__pcTraffic = async () => {
    const out = { pcs: 0, channels: 0, messagesSent: 0, messagesReceived: 0, bytesSent: 0, bytesReceived: 0 }
    for (const pc of live) {
      if (pc.connectionState !== 'connected') continue
      out.pcs++
      const stats = await pc.getStats()
      stats.forEach(r => { if (r.type === 'data-channel') { out.channels++; out.messagesSent += r.messagesSent ?? 0; out.messagesReceived += r.messagesReceived ?? 0; out.bytesSent += r.bytesSent ?? 0; out.bytesReceived += r.bytesReceived ?? 0 } })
    }
    return out
  }
  const t = () => Math.round(performance.now())
  class Traced extends Orig {
    constructor (...args) {
      super(...args)
      const rec = { created: t(), ev: [], local: 0, remote: 0, role: null, stats: null, localCands: [], remoteCands: [] }
      pcs.push(rec)
      live.push(this)
      this.__rec = rec
      for (const k of ['iceconnectionstatechange', 'connectionstatechange', 'icegatheringstatechange', 'signalingstatechange']) {
        this.addEventListener(k, () => rec.ev.push([t() - rec.created, k.replace('statechange', ''), k === 'iceconnectionstatechange' ? this.iceConnectionState : k === 'connectionstatechange' ? this.connectionState : k === 'icegatheringstatechange' ? this.iceGatheringState : this.signalingState]))
      }
      this.addEventListener('datachannel', e => { const ch = e.channel; if (ch.label !== 'init') return; rec.ev.push([t() - rec.created, 'rdc', ch.label + '#' + ch.id + ' ' + ch.readyState]); for (const k of ['open', 'closing', 'close', 'error']) ch.addEventListener(k, () => rec.ev.push([t() - rec.created, 'rdc:' + k, ch.label])) })
      this.addEventListener('icecandidate', e => { if (e.candidate && e.candidate.candidate) { rec.local++; rec.localCands.push(e.candidate.candidate.split(' ').slice(4, 8).join(' ')) } })
    }
    createDataChannel (label, opts) {
      const ch = super.createDataChannel(label, opts)
      const rec = this.__rec
      if (label === 'init') { rec.ev.push([t() - rec.created, 'dc+', label]); for (const k of ['open', 'closing', 'close', 'error']) ch.addEventListener(k, () => rec.ev.push([t() - rec.created, 'dc:' + k, label + '#' + ch.id])) }
      return ch
    }
    async setLocalDescription (d) { if (d) this.__rec.role = this.__rec.role ?? d.type; this.__rec.ev.push([t() - this.__rec.created, 'setLocal', d?.type]); return super.setLocalDescription(d) }
    async setRemoteDescription (d) { this.__rec.ev.push([t() - this.__rec.created, 'setRemote', d?.type]); return super.setRemoteDescription(d) }
    async addIceCandidate (c) { this.__rec.remote++; try { this.__rec.remoteCands.push(String(c?.candidate).split(' ').slice(4, 8).join(' ')) } catch {} ; this.__rec.ev.push([t() - this.__rec.created, 'addCand']); return super.addIceCandidate(c) }
    close () {
      const rec = this.__rec
      rec.ev.push([t() - rec.created, 'close', this.connectionState])
      if (this.connectionState !== 'connected' && rec.stats === null) {
        rec.stats = 'pending'
        try { super.getStats().then(s => { const out = []; s.forEach(r => { if (r.type === 'candidate-pair' || r.type === 'transport') out.push({ type: r.type, state: r.state, nominated: r.nominated, req: r.requestsSent, resp: r.responsesReceived, reqIn: r.requestsReceived, respSent: r.responsesSent, dtls: r.dtlsState, ice: r.iceState }) }); rec.stats = out }, e => { rec.stats = String(e) }) } catch (e) { rec.stats = String(e) }
      }
      return super.close()
    }
  }
  globalThis.RTCPeerConnection = Traced
  // Messages sent per protocol: a libp2p stream is one data channel whose first messages carry the
  // multistream-select negotiation, so the last protocol id seen there names the channel.
  const sent = {}
  globalThis.__dcSent = sent
  const proto = new WeakMap()
  // Every data channel this tab has sent on, by protocol (a stream's two ends each count once here:
  // the opener sends the proposal, the other end its answer).
  const channels = []
  globalThis.__dcOpened = () => channels.reduce((acc, p) => { acc[p.name] = (acc[p.name] ?? 0) + 1; return acc }, {})
  const origSend = RTCDataChannel.prototype.send
  RTCDataChannel.prototype.send = function (data) {
    let p = proto.get(this)
    if (p === undefined || p.early > 0) {
      if (p === undefined) { p = { name: this.label === 'init' ? 'init' : '?', early: 4 }; channels.push(p) }
      p.early--
      try {
        const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null
        const text = bytes === null ? String(data) : new TextDecoder('utf-8', { fatal: false }).decode(bytes)
        const ids = text.match(/\/[a-z0-9-]+(?:\/[a-zA-Z0-9._-]+)+/g)?.filter(x => !x.startsWith('/multistream'))
        if (ids !== undefined && ids.length > 0) p.name = ids[ids.length - 1]
      } catch {}
      proto.set(this, p)
    }
    sent[p.name] = (sent[p.name] ?? 0) + 1
    return origSend.call(this, data)
  }
})()
