// libp2p 3 uses Promise.withResolvers, which Node 20 lacks (Node >= 22 has it).
// Loaded with `node --import` for the relay and as a vitest setup file, so Node-side code runs on Node 20 and newer.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve, reject
    const promise = new Promise((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
