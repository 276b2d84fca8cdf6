/**
 * The code that runs inside a custom agent's QuickJS context before the person's module: it builds
 * `task` and `ctx` for each run from a handful of host functions, gives the agent timers and a
 * console, and checks that what the agent returns is plain JSON before it leaves the sandbox.
 *
 * Everything crosses the boundary as JSON text: arguments the agent passes to `ctx` going out,
 * service results and errors coming in, the result at the end. The host functions are taken off
 * the global object here, so the agent's code never sees them; it sees only `ctx`.
 *
 * The prelude's value (its last expression) is the host's handle on the sandbox:
 * `{ setHandler(fn), start(key, taskJson, infoJson), abort(key, name, message), fire(timerId) }`.
 */
export const PRELUDE = String.raw`(() => {
  const host = globalThis.__meshworkHost
  delete globalThis.__meshworkHost
  const stringify = JSON.stringify
  const parse = JSON.parse
  const MAX_TIMERS = 1000
  const MAX_DEPTH = 64

  class AgentToolError extends Error {
    constructor (tool, message) { super(message); this.name = 'AgentToolError'; this.tool = tool }
  }
  class AgentRunError extends Error {
    constructor (code, message) { super(message); this.name = 'AgentRunError'; this.code = code }
  }
  const fromWire = (e) => {
    let err
    if (e.name === 'AgentToolError') err = new AgentToolError(e.tool, e.message)
    else if (e.name === 'AgentRunError') err = new AgentRunError(e.code, e.message)
    else if (e.name === 'TypeError') err = new TypeError(e.message)
    else if (e.name === 'RangeError') err = new RangeError(e.message)
    else { err = new Error(e.message); err.name = e.name }
    return err
  }
  const where = (e) => {
    const m = typeof e.stack === 'string' ? /agent\.js:(\d+)(?::(\d+))?/.exec(e.stack) : null
    return m === null ? undefined : (m[2] === undefined ? 'line ' + m[1] : 'line ' + m[1] + ', column ' + m[2])
  }
  const toWire = (e) => {
    if (e !== null && typeof e === 'object' && 'message' in e) {
      const out = { name: typeof e.name === 'string' ? e.name : 'Error', message: typeof e.message === 'string' ? e.message : String(e.message) }
      if (typeof e.code === 'string') out.code = e.code
      if (typeof e.tool === 'string') out.tool = e.tool
      const at = where(e)
      if (at !== undefined) out.at = at
      return out
    }
    let text
    try { text = typeof e === 'string' ? stringify(e) : String(e) } catch (_) { text = typeof e }
    return { name: 'Error', message: 'threw a non-error value: ' + text }
  }
  const outcome = (json) => {
    const r = parse(json)
    if (r.ok) return r.value
    throw fromWire(r.error)
  }
  const encode = (what, args) => {
    try { return stringify(args) } catch (e) { throw new TypeError(what + ': its arguments must be plain JSON data (' + e.message + ')') }
  }
  const now = (op, key, what, args) => outcome(host.call(op, key, encode(what, args)))
  const later = async (op, key, what, args) => outcome(await host.callAsync(op, key, encode(what, args)))

  // What the agent returns, checked as the runtime's toJsonValue does (same wording), so a
  // non-JSON value is refused naming its path instead of being changed silently by JSON.stringify.
  const describe = (v) => {
    if (v === null) return 'null'
    if (v === undefined) return 'undefined'
    if (Array.isArray(v)) return 'an array'
    if (typeof v === 'function') return 'a function'
    if (typeof v === 'object') {
      const p = Object.getPrototypeOf(v)
      const name = p && p.constructor && p.constructor.name
      return name && name !== 'Object' ? 'a ' + name : 'an object'
    }
    return 'a ' + typeof v
  }
  class ResultError extends Error {
    constructor (message) { super(message); this.name = 'ResultError' }
  }
  const plain = (value, path) => {
    const ancestors = new Set()
    const walk = (v, p, depth) => {
      if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw new ResultError(p + ' is ' + String(v) + ', which JSON cannot represent')
        return v
      }
      if (typeof v !== 'object') throw new ResultError(p + ' is ' + describe(v) + ', which is not JSON data')
      if (depth > MAX_DEPTH) throw new ResultError(p + ' is nested deeper than ' + MAX_DEPTH + ' levels')
      if (ancestors.has(v)) throw new ResultError(p + ' refers back to one of its parents (a cycle)')
      ancestors.add(v)
      try {
        if (Array.isArray(v)) {
          if (Object.getPrototypeOf(v) !== Array.prototype) throw new ResultError(p + ' is ' + describe(v) + ', not a plain array')
          return v.map((item, i) => {
            if (item === undefined) throw new ResultError(p + '[' + i + '] is undefined')
            return walk(item, p + '[' + i + ']', depth + 1)
          })
        }
        const proto = Object.getPrototypeOf(v)
        if (proto !== Object.prototype && proto !== null) throw new ResultError(p + ' is ' + describe(v) + ', not plain JSON data (use plain objects, arrays, strings, numbers, booleans and null)')
        const out = {}
        for (const k of Object.keys(v)) {
          const item = v[k]
          if (item === undefined) continue
          out[k] = walk(item, p + '.' + k, depth + 1)
        }
        return out
      } finally {
        ancestors.delete(v)
      }
    }
    return walk(value, path, 0)
  }
  const result = (value) => {
    if (value === undefined) return stringify({ ok: true })
    if (typeof value === 'object' && value !== null) value = plain(value, 'result')
    else if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new ResultError('the agent returned ' + describe(value) + ', which is not JSON data')
    else if (typeof value === 'number' && !Number.isFinite(value)) throw new ResultError('the agent returned ' + String(value) + ', which JSON cannot represent')
    return stringify({ ok: true, value })
  }

  class Signal {
    constructor () { this.aborted = false; this.reason = undefined; this.onabort = null; this._listeners = [] }
    addEventListener (type, fn, options) {
      if (type !== 'abort' || typeof fn !== 'function') return
      if (this._listeners.some(l => l.fn === fn)) return
      this._listeners.push({ fn, once: !!(options && options.once) })
    }
    removeEventListener (type, fn) { if (type === 'abort') this._listeners = this._listeners.filter(l => l.fn !== fn) }
    throwIfAborted () { if (this.aborted) throw this.reason }
  }
  const abortSignal = (signal, key, reason) => {
    if (signal.aborted) return
    signal.aborted = true
    signal.reason = reason
    const event = { type: 'abort', target: signal }
    const listeners = signal._listeners.slice()
    signal._listeners = signal._listeners.filter(l => !l.once)
    const call = (fn) => {
      try { fn.call(signal, event) } catch (e) { now('log', key, 'abort listener', ['an abort listener threw: ' + (e && e.name) + ': ' + (e && e.message)]) }
    }
    if (typeof signal.onabort === 'function') call(signal.onabort)
    for (const l of listeners) call(l.fn)
  }

  const tasks = new Map()
  let latest
  let handler

  const timers = new Map()
  let timerSeq = 0
  const addTimer = (fn, ms, args, repeat) => {
    if (typeof fn !== 'function') throw new TypeError('timers take a function (code strings are not evaluated)')
    if (timers.size >= MAX_TIMERS) throw new RangeError('too many timers pending (at most ' + MAX_TIMERS + ')')
    const delay = Math.max(repeat ? 4 : 0, Number(ms) || 0)
    const id = ++timerSeq
    timers.set(id, { fn, args, delay, repeat })
    host.timer(id, delay)
    return id
  }
  const clearTimer = (id) => { if (timers.delete(id)) host.clearTimer(id) }
  globalThis.setTimeout = (fn, ms, ...args) => addTimer(fn, ms, args, false)
  globalThis.setInterval = (fn, ms, ...args) => addTimer(fn, ms, args, true)
  globalThis.clearTimeout = clearTimer
  globalThis.clearInterval = clearTimer
  globalThis.queueMicrotask = (fn) => { Promise.resolve().then(fn) }

  const format = (v) => {
    if (typeof v === 'string') return v
    if (v instanceof Error) return v.name + ': ' + v.message
    if (typeof v === 'object' && v !== null) { try { return stringify(v) } catch (_) { return String(v) } }
    return String(v)
  }
  const consoleLine = (level) => (...args) => {
    if (latest === undefined || !tasks.has(latest)) return
    const text = args.map(format).join(' ')
    now('log', latest, 'console.' + level, [level === 'log' || level === 'info' ? text : '[' + level + '] ' + text])
  }
  globalThis.console = { log: consoleLine('log'), info: consoleLine('info'), warn: consoleLine('warn'), error: consoleLine('error'), debug: consoleLine('debug') }

  const opt = (v) => v === undefined ? null : v
  const contextFor = (key, info, signal) => Object.freeze({
    agentId: info.agentId,
    signal,
    llmAvailable: info.llmAvailable,
    progress (fraction, note) { now('progress', key, 'ctx.progress', [fraction, opt(note)]) },
    log (message) { now('log', key, 'ctx.log', [String(message)]) },
    async embed (texts) { return (await later('embed', key, 'ctx.embed', [texts])).map(v => new Float32Array(v)) },
    graph: Object.freeze({
      search (text, k) { return later('graph.search', key, 'ctx.graph.search', [text, opt(k)]) },
      get (id) { return later('graph.get', key, 'ctx.graph.get', [id]) },
      list (filter) { return later('graph.list', key, 'ctx.graph.list', [opt(filter)]) }
    }),
    mesh: Object.freeze({
      status () { return later('mesh.status', key, 'ctx.mesh.status', []) },
      match (capability, k) { return later('mesh.match', key, 'ctx.mesh.match', [capability, opt(k)]) }
    }),
    llm (request) { return later('llm', key, 'ctx.llm', [request]) },
    spawn (kind, task) { return later('spawn', key, 'ctx.spawn', [kind, task]) },
    ask (text, options) { return later('ask', key, 'ctx.ask', [text, opt(options)]) },
    alert (text, severity) { now('alert', key, 'ctx.alert', [text, opt(severity)]) },
    handOff (reason, toAgentId) {
      now('handOff', key, 'ctx.handOff', [reason, opt(toAgentId)])
      throw new Error('handed off')
    }
  })

  return {
    setHandler (fn) { handler = fn },
    start (key, taskJson, infoJson) {
      const task = parse(taskJson)
      const signal = new Signal()
      tasks.set(key, signal)
      latest = key
      const ctx = contextFor(key, parse(infoJson), signal)
      Promise.resolve()
        .then(() => handler(task, ctx))
        .then(value => result(value))
        .then(json => { tasks.delete(key); host.done(key, json) }, e => { tasks.delete(key); host.done(key, stringify({ ok: false, error: toWire(e) })) })
    },
    abort (key, name, message) {
      const signal = tasks.get(key)
      if (signal === undefined) return
      const reason = new Error(message)
      reason.name = name
      abortSignal(signal, key, reason)
    },
    fire (id) {
      const t = timers.get(id)
      if (t === undefined) return
      if (t.repeat) host.timer(id, t.delay)
      else timers.delete(id)
      t.fn(...t.args)
    },
    clearTimers () { timers.clear() }
  }
})()`
