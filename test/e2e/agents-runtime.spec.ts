/**
 * The agent runtime in real Chromium with real workers, on a page of its own
 * (test/e2e/pages/runtime.html, built when MESHWORK_TEST_PAGES=1). No relay is needed: only the
 * app server, which serves the build with the app's real headers (cross-origin isolation).
 *
 * Run: MESHWORK_DIST=dist-runtime MESHWORK_TEST_PAGES=1 node test/e2e/run.mjs test/e2e/agents-runtime.spec.ts
 */
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { expect, test, type Page } from '@playwright/test'
import { createAppServer } from '../../scripts/serve.mjs'

let server: Server
let pageUrl: string

test.beforeAll(async () => {
  server = createAppServer({ root: process.env.MESHWORK_DIST ?? 'dist', getRelay: () => undefined, model: undefined, log: () => {} })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/test/e2e/pages/runtime.html`
})

test.afterAll(async () => {
  await new Promise<void>(resolve => { server.close(() => resolve()); server.closeAllConnections() })
})

async function openRuntime (page: Page, query = ''): Promise<void> {
  page.on('pageerror', err => { console.error(`[page error] ${err.message}`) })
  await page.goto(pageUrl + query)
  await page.waitForFunction(() => window.runtime !== undefined && window.testkit !== undefined)
}

async function startCustom (page: Page, id: string, source: string, extra: Record<string, unknown> = {}) {
  return await page.evaluate(([id, source, extra]) => window.testkit.startCustom(id, source, extra), [id, source, extra] as const)
}

async function run (page: Page, id: string, text: string, opts: { timeoutMs?: number, cancelAfterMs?: number, input?: unknown, consult?: { answer?: string, answerAfterMs?: number } } = {}) {
  return await page.evaluate(([id, text, opts]) => {
    const { input, ...rest } = opts
    return window.testkit.run(id, { id: `t-${Math.random().toString(36).slice(2)}`, text, ...(input !== undefined ? { input } : {}) }, rest)
  }, [id, text, opts] as const)
}

async function status (page: Page, id: string) {
  return await page.evaluate(id => window.runtime.status(id), id)
}

async function eventsOf (page: Page, type: string, id: string) {
  return await page.evaluate(([type, id]) => window.testkit.events.filter(e => e.type === type && (e.e as { id: string }).id === id).map(e => e.e), [type, id] as const)
}

const ECHO = `
export default async (task, ctx) => {
  ctx.progress(0.5, 'half way')
  ctx.log('echoing ' + task.text)
  const [v] = await ctx.embed([task.text])
  return { text: task.text.toUpperCase(), output: { dims: v.length, agent: ctx.agentId } }
}`

test('a custom agent starts, runs, reports progress, logs and state, and its results are normalised', async ({ page }) => {
  await openRuntime(page)
  const started = await startCustom(page, 'echo', ECHO)
  expect(started.ok, JSON.stringify(started)).toBe(true)
  const r = await run(page, 'echo', 'hello mesh')
  expect(r.ok, JSON.stringify(r)).toBe(true)
  if (!r.ok) return
  expect(r.result).toEqual({ text: 'HELLO MESH', output: { dims: 8, agent: 'echo' } })
  expect(r.progress).toEqual([0.5])
  const st = await status(page, 'echo')
  expect(st).toMatchObject({ state: 'idle', kind: 'custom', completed: 1, failures: 0, restarts: 0, running: 0 })
  expect((await eventsOf(page, 'state', 'echo')).map(e => (e as { state: string }).state)).toEqual(['starting', 'idle', 'working', 'idle'])
  const logs = (await eventsOf(page, 'log', 'echo')).map(e => (e as { message: string }).message)
  expect(logs).toContain('sandbox: QuickJS, memory limit 64 MiB, stack 256 KiB; no network, storage, DOM or modules')
  expect(logs).toContain('echoing hello mesh')

  // Shapes a person naturally returns.
  await startCustom(page, 'shapes', `export default async (task) => {
    if (task.text === 'string') return 'just text'
    if (task.text === 'number') return 42
    if (task.text === 'object') return { sum: 3, items: [1, 2] }
    if (task.text === 'no-text') return { output: { a: 1 }, working: ['1 + 0 = 1'] }
    if (task.text === 'function') return { text: 'x', output: { f: () => 1 } }
    if (task.text === 'date') return { text: 'x', output: new Date() }
    if (task.text === 'extra') return { text: 'x', colour: 'red' }
    if (task.text === 'nothing') return undefined
    if (task.text === 'throws') throw new TypeError('I cannot do ' + task.text)
  }`)
  const out = async (text: string) => await run(page, 'shapes', text)
  expect(await out('string')).toMatchObject({ ok: true, result: { text: 'just text' } })
  expect(await out('number')).toMatchObject({ ok: true, result: { text: '42', output: 42 } })
  expect(await out('object')).toMatchObject({ ok: true, result: { text: '{"sum":3,"items":[1,2]}', output: { sum: 3, items: [1, 2] } } })
  expect(await out('no-text')).toMatchObject({ ok: true, result: { text: '{"a":1}', output: { a: 1 }, working: ['1 + 0 = 1'] } })
  for (const [text, fragment] of [['function', 'result.output.f is a function'], ['date', 'result.output is a Date'], ['extra', 'result.colour is not a result field'], ['nothing', 'returned undefined']]) {
    const bad = await out(text!)
    expect(bad, text).toMatchObject({ ok: false, code: 'bad-result' })
    expect(bad.ok === false && bad.message, text).toContain(fragment)
  }
  const threw = await out('throws')
  expect(threw).toMatchObject({ ok: false, code: 'failed' })
  expect(threw.ok === false && threw.message).toContain('TypeError: I cannot do throws')
  expect(await status(page, 'shapes')).toMatchObject({ state: 'idle', restarts: 0, completed: 4, failures: 5 })
})

test('tools: services outside the manifest throw AgentToolError in the worker; granted ones work', async ({ page }) => {
  await openRuntime(page)
  const source = `export default async (task, ctx) => {
    try {
      if (task.text === 'search') return { text: 'ok', output: (await ctx.graph.search('CRDTs merge', 1)).map(h => h.id) }
      if (task.text === 'llm') return { text: String(ctx.llmAvailable), output: await ctx.llm({ messages: [{ role: 'user', content: 'hi' }] }) }
      if (task.text === 'spawn') return await ctx.spawn('calculator', { id: 'x', text: '1 + 1' })
      if (task.text === 'mesh') return { text: 'ok', output: (await ctx.mesh.status()).peers.map(p => p.peerId) }
      if (task.text === 'blank match') return { text: 'ok', output: await ctx.mesh.match('   ') }
    } catch (err) { return { text: err.name + ': ' + err.message, output: { name: err.name, tool: err.tool ?? null, code: err.code ?? null } } }
  }`
  await startCustom(page, 'no-tools', source)
  await startCustom(page, 'reader', source, { tools: ['graph.read', 'llm', 'mesh.read'] })
  const denied = await run(page, 'no-tools', 'search')
  expect(denied).toMatchObject({ ok: true, result: { output: { name: 'AgentToolError', tool: 'graph.read' } } })
  expect(await run(page, 'no-tools', 'llm')).toMatchObject({ ok: true, result: { output: { name: 'AgentToolError', tool: 'llm' } } })
  expect(await run(page, 'no-tools', 'spawn')).toMatchObject({ ok: true, result: { output: { name: 'AgentToolError', tool: 'spawn' } } })
  expect(await run(page, 'reader', 'search')).toMatchObject({ ok: true, result: { output: ['e1'] } })
  // The mesh as the tab sees it: a tool of its own, its arguments checked on the main thread.
  expect(await run(page, 'no-tools', 'mesh')).toMatchObject({ ok: true, result: { output: { name: 'AgentToolError', tool: 'mesh.read' } } })
  expect(await run(page, 'reader', 'mesh')).toMatchObject({ ok: true, result: { output: ['runtime-page'] } })
  const blank = await run(page, 'reader', 'blank match')
  expect(blank).toMatchObject({ ok: true, result: { output: { name: 'TypeError' } } })
  expect(blank.ok && blank.result.text).toContain('ctx.mesh.match takes a capability in words (1-2000 characters) and k between 1 and 50')
  const llm = await run(page, 'reader', 'llm')
  expect(llm).toMatchObject({ ok: true, result: { output: { name: 'Error' } } })
  expect(llm.ok && llm.result.text).toContain('no endpoint configured')
})

test('sub-agents: ctx.spawn runs a built-in within maxSubAgents and maxDepth; beyond them it is AgentRunError limit', async ({ page }) => {
  await openRuntime(page)
  const source = `export default async (task, ctx) => {
    if (task.text === 'one') return await ctx.spawn('calculator', { id: 'ignored', text: '6 * 7' })
    // Each sub-agent stays busy for 300 ms, so all three calls overlap and the third meets the limit
    // (with a fast sub-agent the first could finish before the third asks, and no limit is met).
    const slow = n => ctx.spawn('js-runner', { id: 'x', text: 'run', input: { code: 'const t = Date.now(); while (Date.now() - t < 300) {} ' + n + ' + 1' } })
    if (task.text === 'three') {
      const rs = await Promise.allSettled([1, 2, 3].map(slow))
      return { text: 'done', output: rs.map(r => r.status === 'fulfilled' ? JSON.stringify(r.value.output) : r.reason.name + ':' + r.reason.code) }
    }
    if (task.text === 'uncaught') await Promise.all([1, 2, 3].map(slow))
  }`
  const started = await startCustom(page, 'boss', source, { tools: ['spawn'], limits: { timeoutMs: 30000, maxConcurrentTasks: 1, maxSubAgents: 2, maxDepth: 1 } })
  expect(started.ok, JSON.stringify(started)).toBe(true)
  const one = await run(page, 'boss', 'one')
  expect(one.ok, JSON.stringify(one)).toBe(true)
  expect(one.ok && one.result.text).toContain('42')
  const three = await run(page, 'boss', 'three')
  expect(three.ok, JSON.stringify(three)).toBe(true)
  const outs = (three.ok ? three.result.output : []) as string[]
  expect(outs.filter(o => o === 'AgentRunError:limit')).toHaveLength(1)
  expect(outs.filter(o => o.includes('2') || o.includes('3') || o.includes('4'))).toHaveLength(2)
  const uncaught = await run(page, 'boss', 'uncaught')
  expect(uncaught).toMatchObject({ ok: false, code: 'limit' })
  expect(uncaught.ok === false && uncaught.message).toContain('limits.maxSubAgents')
})

// A custom agent runs in QuickJS: it has no `self.close()` to call, and QuickJS' unhandled-rejection
// tracker is not exposed by quickjs-emscripten, so an uncaught error in a timer callback is the crash
// left to a custom agent (pool workers still crash every way: see the pool worker test below).
test('crashes: an uncaught error in a timer callback fails the task as crashed; the agent restarts on a fresh worker and works again', async ({ page }) => {
  await openRuntime(page)
  const source = `let tasks = 0
  export default async (task, ctx) => {
    tasks++
    if (task.text === 'throw') { setTimeout(() => { throw new Error('boom at top level') }, 10); return new Promise(() => {}) }
    if (task.text === 'throw later') { setTimeout(() => { throw new TypeError('boom again') }, 50); return new Promise(() => {}) }
    return { text: 'alive', output: { tasksInThisWorker: tasks } }
  }`
  await startCustom(page, 'fragile', source)
  expect(await run(page, 'fragile', 'hi')).toMatchObject({ ok: true, result: { output: { tasksInThisWorker: 1 } } })
  const cases = [['throw', 'uncaught error in a timer callback of the agent: Error: boom at top level'], ['throw later', 'TypeError: boom again']] as const
  for (const [i, [how, why]] of cases.entries()) {
    const r = await run(page, 'fragile', how)
    expect(r, how).toMatchObject({ ok: false, code: 'crashed' })
    expect(r.ok === false && r.message, how).toContain(why)
    expect(r.ms, how).toBeLessThan(5000)
    // Back to idle on a fresh worker: the module state starts over.
    await expect.poll(async () => (await status(page, 'fragile'))?.state).toBe('idle')
    expect(await run(page, 'fragile', 'hi'), how).toMatchObject({ ok: true, result: { output: { tasksInThisWorker: 1 } } })
    const st = await status(page, 'fragile')
    expect(st, how).toMatchObject({ restarts: i + 1, state: 'idle' })
    expect(st?.lastError, how).toContain(why)
  }
  const crashes = await eventsOf(page, 'crash', 'fragile')
  expect(crashes).toHaveLength(2)
  expect(crashes.map(c => (c as { willRestart: boolean }).willRestart)).toEqual([true, true])
  const states = (await eventsOf(page, 'state', 'fragile')).map(e => (e as { state: string }).state)
  expect(states.filter(s => s === 'starting')).toHaveLength(3)
})

test('an agent that keeps crashing goes to failed', async ({ page }) => {
  await openRuntime(page)
  await startCustom(page, 'doomed', `export default async () => { setTimeout(() => { throw new Error('again') }); return new Promise(() => {}) }`)
  const codes: (string | undefined)[] = []
  for (let i = 0; i < 5; i++) {
    await expect.poll(async () => (await status(page, 'doomed'))?.state, { timeout: 10_000 }).toMatch(/idle|failed/)
    const r = await run(page, 'doomed', 'go')
    codes.push(r.ok ? 'ok' : r.code)
  }
  expect(codes).toEqual(['crashed', 'crashed', 'crashed', 'crashed', 'crashed'])
  const st = await status(page, 'doomed')
  expect(st).toMatchObject({ state: 'failed', restarts: 4 })
  expect(st?.lastError).toContain('5 crashes within 60000 ms')
  expect(await run(page, 'doomed', 'go')).toMatchObject({ ok: false, code: 'failed' })
})

test('a hung agent (while (true) {}) is interrupted at its timeout inside its sandbox; its worker survives and it works again', async ({ page }) => {
  await openRuntime(page)
  await startCustom(page, 'spinner', `export default async (task) => {
    if (task.text === 'spin') { while (true) {} }
    return 'still here'
  }`, { limits: { timeoutMs: 1000, maxConcurrentTasks: 1, maxSubAgents: 0, maxDepth: 0 } })
  const r = await run(page, 'spinner', 'spin')
  expect(r).toMatchObject({ ok: false, code: 'timeout' })
  expect(r.ok === false && r.message).toContain('took longer than 1000 ms')
  expect(r.ms).toBeGreaterThanOrEqual(990)
  expect(r.ms).toBeLessThan(2500) // rejected at the timeout, not after the kill (slack for a loaded machine)
  // QuickJS' interrupt handler stopped the loop (the main thread's stop flag, or the sandbox's own
  // deadline): the worker answers the probe, so it is neither terminated nor restarted.
  await expect.poll(async () => (await status(page, 'spinner'))?.state).toBe('idle')
  expect(await run(page, 'spinner', 'hello')).toMatchObject({ ok: true, result: { text: 'still here' } })
  expect(await eventsOf(page, 'crash', 'spinner')).toEqual([])
  expect(await status(page, 'spinner')).toMatchObject({ restarts: 0, completed: 1, failures: 1 })
  // A per-task override shortens the budget.
  const short = await run(page, 'spinner', 'spin', { timeoutMs: 300 })
  expect(short).toMatchObject({ ok: false, code: 'timeout' })
  expect(short.ms).toBeLessThan(1500)
})

test('a custom agent that allocates without bound fails with its memory limit; the tab and its worker survive and it takes the next task', async ({ page }) => {
  await openRuntime(page)
  await startCustom(page, 'hoarder', `let hoard = []
  export default async (task) => {
    if (task.text === 'bomb') { for (;;) hoard.push(new Array(100000).fill(task.text)) }
    return 'hoard has ' + hoard.length + ' arrays'
  }`)
  await startCustom(page, 'bystander', `export default async (task) => 'bystander: ' + task.text`)
  const bomb = await run(page, 'hoarder', 'bomb')
  expect(bomb).toMatchObject({ ok: false, code: 'failed' })
  expect(bomb.ok === false && bomb.message).toContain('custom agent exceeded its memory limit of 64 MiB')
  expect(bomb.ms).toBeLessThan(15_000)
  // Counted as the agent's failure, not a crash: same worker, a fresh sandbox (the hoard is gone).
  expect(await status(page, 'hoarder')).toMatchObject({ state: 'idle', failures: 1, restarts: 0 })
  expect(await status(page, 'hoarder').then(s => s?.lastError)).toContain('exceeded its memory limit of 64 MiB')
  expect(await run(page, 'hoarder', 'count')).toMatchObject({ ok: true, result: { text: 'hoard has 0 arrays' } })
  // Twice more, to be sure memory is given back rather than piling up until the renderer dies.
  for (let i = 0; i < 2; i++) expect(await run(page, 'hoarder', 'bomb')).toMatchObject({ ok: false, code: 'failed' })
  expect(await run(page, 'hoarder', 'count')).toMatchObject({ ok: true, result: { text: 'hoard has 0 arrays' } })
  expect(await eventsOf(page, 'crash', 'hoarder')).toEqual([])
  // The manifest's limits.memoryMb reaches the sandbox.
  await startCustom(page, 'small', `export default async (task) => { const a = []; for (let i = 0; i < 24; i++) a.push(new Uint8Array(1 << 20)); return a.length + ' MiB' }`,
    { limits: { timeoutMs: 30000, maxConcurrentTasks: 1, maxSubAgents: 0, maxDepth: 0, memoryMb: 16 } })
  const small = await run(page, 'small', 'go')
  expect(small.ok === false && small.message).toContain('custom agent exceeded its memory limit of 16 MiB')
  await startCustom(page, 'roomy', `export default async (task) => { const a = []; for (let i = 0; i < 24; i++) a.push(new Uint8Array(1 << 20)); return a.length + ' MiB' }`,
    { limits: { timeoutMs: 30000, maxConcurrentTasks: 1, maxSubAgents: 0, maxDepth: 0, memoryMb: 32 } })
  expect(await run(page, 'roomy', 'go')).toMatchObject({ ok: true, result: { text: '24 MiB' } })
  // The tab is alive: the page answers, another agent and a built-in still work.
  expect(await page.evaluate(() => 1 + 1)).toBe(2)
  expect(await run(page, 'bystander', 'still here')).toMatchObject({ ok: true, result: { text: 'bystander: still here' } })
  expect(await page.evaluate(async () => { await window.runtime.start('calc', { kind: 'calculator' }); return (await window.runtime.run('calc', { id: 'c1', text: '2 + 3' })).text })).toContain('5')
})

test('cancellation reaches ctx.signal in the sandbox; a task that ignores it in a busy loop is interrupted, without killing its worker', async ({ page }) => {
  await openRuntime(page)
  await startCustom(page, 'polite', `const seen = []
  export default async (task, ctx) => {
    if (task.text === 'report') return { text: 'seen', output: seen }
    if (task.text === 'spin') { while (true) {} }
    await new Promise(resolve => ctx.signal.addEventListener('abort', () => { seen.push(ctx.signal.reason.name); resolve() }))
    return 'too late'
  }`)
  const r = await run(page, 'polite', 'wait', { cancelAfterMs: 300 })
  expect(r).toMatchObject({ ok: false, code: 'cancelled' })
  expect(r.ok === false && r.message).toContain('the test cancelled it')
  expect(r.ms).toBeLessThan(2000)
  expect(await run(page, 'polite', 'report')).toMatchObject({ ok: true, result: { output: ['AbortError'] } })
  expect(await status(page, 'polite')).toMatchObject({ restarts: 0, failures: 0 })

  const spin = await run(page, 'polite', 'spin', { cancelAfterMs: 300 })
  expect(spin).toMatchObject({ ok: false, code: 'cancelled' })
  expect(spin.ms).toBeLessThan(2000)
  await expect.poll(async () => (await status(page, 'polite'))?.state).toBe('idle')
  // Same worker, same module state: the loop was interrupted, nothing was restarted.
  expect(await run(page, 'polite', 'report')).toMatchObject({ ok: true, result: { output: ['AbortError'] } })
  expect(await status(page, 'polite')).toMatchObject({ restarts: 0 })
  expect(await eventsOf(page, 'crash', 'polite')).toEqual([])
})

test('bad source and bad specs are refused by start with an error naming the problem', async ({ page }) => {
  await openRuntime(page)
  const cases: [string, string, string, string][] = [
    ['syntax', 'export default async (task) => { return task.text +* 1 }', 'syntax', "does not parse as a JavaScript module: SyntaxError at line 1, column 52: unexpected token in expression: '*'"],
    ['nodefault', 'export const handler = async () => "x"', 'no-default', 'has no default export'],
    ['notfn', 'export default 42', 'not-function', 'the default export is number, not a function'],
    ['throws', 'throw new RangeError("bad config"); export default async () => "x"', 'threw', 'threw while loading: RangeError: bad config'],
    ['import', 'import x from "left-pad"; export default async () => x', 'threw', 'left-pad'],
    ['spin', 'while (true) {}\nexport default async () => 1', 'timeout', 'did not load within 4000 ms']
  ]
  for (const [id, source, problem, fragment] of cases) {
    const r = await startCustom(page, id, source)
    expect(r, id).toMatchObject({ ok: false, name: 'AgentStartError', problem })
    expect(r.ok === false && r.message, id).toContain(fragment)
    expect(await status(page, id), id).toMatchObject({ state: 'failed' })
    expect(await run(page, id, 'x'), id).toMatchObject({ ok: false, code: 'failed' })
  }
  const manifest = await page.evaluate(() => window.testkit.manifest('m', { limits: { timeoutMs: 5, maxConcurrentTasks: 1, maxSubAgents: 0, maxDepth: 0 } }))
  const badManifest = await page.evaluate(m => window.runtime.start('m', { source: 'export default async () => 1', author: 'e2e', manifest: m }).then(() => 'started', e => `${e.problem}: ${e.message}`), manifest)
  expect(badManifest).toBe('manifest: manifest limits.timeoutMs: must be between 100 and 600000, got 5')
  const fetchTool = await startCustom(page, 'fetcher', 'export default async () => 1', { tools: ['net.fetch'] })
  expect(fetchTool).toMatchObject({ ok: false, problem: 'tool' })
  const loop = await page.evaluate(() => window.runtime.start('dup', { kind: 'calculator' }).then(() => window.runtime.start('dup', { kind: 'calculator' })).then(() => 'started twice', e => e.problem))
  expect(loop).toBe('exists')
  expect(await run(page, 'nobody', 'x')).toMatchObject({ ok: false, code: 'unknown-agent' })
})

test('a custom agent has no fetch, no sockets, no storage and no way to other contexts', async ({ page }) => {
  await openRuntime(page)
  await startCustom(page, 'prober', `export default async () => {
    const names = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'importScripts', 'indexedDB', 'caches', 'BroadcastChannel', 'Worker', 'SharedWorker', 'WebTransport',
      'self', 'navigator', 'WorkerGlobalScope', 'postMessage', 'close', 'location', 'document', 'WebAssembly', 'performance', 'require', 'process']
    const out = {}
    for (const n of names) out[n] = typeof globalThis[n]
    try { await fetch('/index.html'); out.call = 'fetched!' } catch (err) { out.call = err.name }
    return { text: 'probed', output: out }
  }`)
  const r = await run(page, 'prober', 'probe')
  expect(r.ok, JSON.stringify(r)).toBe(true)
  const out = (r.ok ? r.result.output : {}) as Record<string, string>
  for (const [name, type] of Object.entries(out)) {
    if (name !== 'call') expect(type, name).toBe('undefined')
  }
  expect(out.call).toBe('ReferenceError')
  // The page itself still has them: the sandbox is the worker's only.
  expect(await page.evaluate(() => typeof fetch)).toBe('function')
})

test('a custom agent cannot load code from elsewhere: its sandbox has no module loader (and the worker script\'s CSP would refuse import() anyway)', async ({ page }) => {
  // A reachable server with a valid, CORS-enabled module: the page itself can import it, the agent cannot.
  const { createServer } = await import('node:http')
  const evil = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' })
    res.end('export default "code from elsewhere"')
  })
  await new Promise<void>(resolve => evil.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/evil.js`
  try {
    await openRuntime(page)
    expect(await page.evaluate(async u => (await import(/* @vite-ignore */ u) as { default: string }).default, url)).toBe('code from elsewhere')
    await startCustom(page, 'importer', `export default async (task) => {
      try { const m = await import(task.text); return { text: 'loaded', output: m.default } } catch (err) { return { text: 'refused', output: String(err) } }
    }`)
    const r = await run(page, 'importer', url)
    expect(r.ok, JSON.stringify(r)).toBe(true)
    expect(r.ok && r.result.text).toBe('refused')
    expect(r.ok && r.result.output).toContain('the sandbox has no modules to import')
  } finally {
    await new Promise<void>(resolve => { evil.close(() => resolve()); evil.closeAllConnections() })
  }
})

test('100 built-in agents on one tab start and all answer; a per-tab queue absorbs them', async ({ page }) => {
  await openRuntime(page)
  const figures = await page.evaluate(async () => {
    const rt = window.runtime
    const t0 = performance.now()
    await Promise.all(Array.from({ length: 100 }, (_, i) => rt.start(`calc-${i}`, { kind: 'calculator' })))
    const started = performance.now() - t0
    const t1 = performance.now()
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => rt.run(`calc-${i}`, { id: `sum-${i}`, text: `${i} + 1` })))
    const answered = performance.now() - t1
    const t2 = performance.now()
    await Promise.all(Array.from({ length: 100 }, (_, i) => rt.run(`calc-${i}`, { id: `again-${i}`, text: `${i} * 2` })))
    const warm = performance.now() - t2
    return { started, answered, warm, texts: results.map(r => r.text), pool: rt.poolLoads(), states: rt.list().map(s => s.state) }
  })
  console.log(`100 built-in agents: started in ${figures.started.toFixed(0)} ms, first answers from all in ${figures.answered.toFixed(0)} ms (pool of ${figures.pool.length} workers, cold), second round in ${figures.warm.toFixed(0)} ms`)
  expect(figures.texts).toHaveLength(100)
  figures.texts.forEach((t, i) => expect(t, `calc-${i}`).toContain(String(i + 1)))
  expect(figures.states.every(s => s === 'idle')).toBe(true)
  expect(figures.pool).toHaveLength(2)
  expect(figures.started).toBeLessThan(1000)
})

test('20 custom agents, a worker each, all answer', async ({ page }) => {
  await openRuntime(page)
  const figures = await page.evaluate(async () => {
    const t0 = performance.now()
    await Promise.all(Array.from({ length: 20 }, (_, i) => window.testkit.startCustom(`c-${i}`, `export default async (task) => 'custom ${i} says ' + task.text`)))
    const started = performance.now() - t0
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => window.runtime.run(`c-${i}`, { id: `t${i}`, text: 'hi' })))
    return { started, texts: rs.map(r => r.text) }
  })
  console.log(`20 custom agents (20 workers): started in ${figures.started.toFixed(0)} ms`)
  expect(figures.texts).toEqual(Array.from({ length: 20 }, (_, i) => `custom ${i} says hi`))
})

test('a crash of one agent does not disturb a task running on another', async ({ page }) => {
  await openRuntime(page)
  await startCustom(page, 'steady', `export default async (task, ctx) => {
    for (let i = 1; i <= 5; i++) { await new Promise(r => setTimeout(r, 300)); ctx.progress(i / 5) }
    return 'steady finished'
  }`)
  await startCustom(page, 'wrecker', `export default async () => { setTimeout(() => { throw new Error('wrecked') }, 200); return new Promise(() => {}) }`)
  const [steady, wrecker] = await Promise.all([run(page, 'steady', 'go'), run(page, 'wrecker', 'go')])
  expect(wrecker).toMatchObject({ ok: false, code: 'crashed' })
  expect(steady).toMatchObject({ ok: true, result: { text: 'steady finished' } })
  expect(steady.progress).toEqual([0.2, 0.4, 0.6, 0.8, 1])
  expect(await status(page, 'steady')).toMatchObject({ restarts: 0, failures: 0 })
})

test('a dying pool worker fails only the built-in tasks that were on it; the pool refills and every agent answers', async ({ page }) => {
  await openRuntime(page)
  await page.evaluate(async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => window.runtime.start(`calc-${i}`, { kind: 'calculator' })))
    // Warm both pool workers (first use loads mathjs).
    await Promise.all(Array.from({ length: 10 }, (_, i) => window.runtime.run(`calc-${i}`, { id: `w${i}`, text: '1 + 1' })))
  })
  expect(await page.evaluate(() => window.testkit.poolWorkerCount())).toBe(2)
  const outcome = await page.evaluate(async () => {
    // Worker 0 holds its thread for 1 s and then throws: the tasks handed to it meanwhile are on it when it dies.
    window.testkit.poisonPoolWorker(0, 1000)
    return await Promise.all(Array.from({ length: 10 }, (_, i) => window.runtime.run(`calc-${i}`, { id: `p${i}`, text: `${i} + 100` })
      .then(r => ({ i, ok: true, code: '', text: r.text }), e => ({ i, ok: false, code: e.code as string, text: e.message as string }))))
  })
  const failed = outcome.filter(o => !o.ok)
  const passed = outcome.filter(o => o.ok)
  expect(failed.length, JSON.stringify(outcome)).toBeGreaterThan(0)
  expect(passed.length, JSON.stringify(outcome)).toBeGreaterThan(0)
  for (const f of failed) {
    expect(f.code).toBe('crashed')
    expect(f.text).toContain('pool worker poisoned by the test')
  }
  for (const p of passed) expect(p.text).toContain(String(p.i + 100))
  const statuses = await page.evaluate(() => window.runtime.list())
  for (const s of statuses) {
    const wasOnIt = failed.some(f => `calc-${f.i}` === s.id)
    expect(s.restarts, s.id).toBe(wasOnIt ? 1 : 0)
    expect(s.state, s.id).toBe('idle')
  }
  await expect.poll(async () => await page.evaluate(() => window.runtime.poolLoads().every(l => l >= 0))).toBe(true)
  expect(await page.evaluate(() => window.testkit.poolWorkerCount())).toBe(3)
  const again = await page.evaluate(async () => await Promise.all(Array.from({ length: 10 }, (_, i) => window.runtime.run(`calc-${i}`, { id: `a${i}`, text: `${i} + 7` }).then(r => r.text))))
  again.forEach((t, i) => expect(t).toContain(String(i + 7)))

  // A worker that goes without a word (self.close() in a pool worker, where nothing intercepts it; the
  // same as the browser killing it) is noticed through the liveness lock.
  const silent = await page.evaluate(async () => {
    window.testkit.poisonPoolWorker(2, 500, 'close')
    const t0 = performance.now()
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => window.runtime.run(`calc-${i}`, { id: `c${i}`, text: `${i} + 1000` })
      .then(r => ({ ok: true, text: r.text, ms: performance.now() - t0 }), e => ({ ok: false, text: `${e.code as string}: ${e.message as string}`, ms: performance.now() - t0 }))))
    return rs
  })
  const lost = silent.filter(r => !r.ok)
  expect(lost.length, JSON.stringify(silent)).toBeGreaterThan(0)
  for (const r of lost) {
    expect(r.text).toMatch(/^crashed: .*the worker exited/)
    expect(r.ms).toBeLessThan(3000)
  }
  await expect.poll(async () => await page.evaluate(() => window.testkit.poolWorkerCount())).toBe(4)
  await expect.poll(async () => await page.evaluate(() => window.runtime.poolLoads().every(l => l >= 0))).toBe(true)
})

test('concurrency: per-agent maxConcurrentTasks and the tab limit queue tasks; stop fails queued and running tasks with stopped', async ({ page }) => {
  await openRuntime(page)
  await startCustom(page, 'slow', `export default async (task) => { await new Promise(r => setTimeout(r, 400)); return task.text }`, { limits: { timeoutMs: 10000, maxConcurrentTasks: 2, maxSubAgents: 0, maxDepth: 0 } })
  const timing = await page.evaluate(async () => {
    const t0 = performance.now()
    const ends = await Promise.all([1, 2, 3, 4].map(n => window.runtime.run('slow', { id: `s${n}`, text: String(n) }).then(() => performance.now() - t0)))
    return ends
  })
  // Two at a time: two finish after ~400 ms, two after ~800 ms.
  const sorted = [...timing].sort((a, b) => a - b)
  expect(sorted[2]).toBeGreaterThan(750)
  expect(sorted[2]! - sorted[1]!).toBeGreaterThan(250)
  const stopped = await page.evaluate(async () => {
    const runs = [1, 2, 3].map(n => window.runtime.run('slow', { id: `x${n}`, text: String(n) }).then(() => 'ok', e => e.code as string))
    await new Promise(r => setTimeout(r, 50))
    await window.runtime.stop('slow')
    return { codes: await Promise.all(runs), state: window.runtime.status('slow')?.state, after: await window.runtime.run('slow', { id: 'y', text: 'y' }).then(() => 'ok', e => e.code as string) }
  })
  expect(stopped).toEqual({ codes: ['stopped', 'stopped', 'stopped'], state: 'stopped', after: 'stopped' })
})

const ASKER = `
export default async (task, ctx) => {
  if (task.text === 'too long') {
    try { await ctx.ask('?'.repeat(2001)) } catch (e) { return e.name + ': ' + e.message }
  }
  const answer = await ctx.ask('Which cuisine should the team dinner be?', { to: task.text === 'mesh' ? 'mesh' : 'person' })
  if (task.text === 'slow after') await new Promise(r => setTimeout(r, 1500))
  return { text: 'Dinner: ' + answer, output: { answer } }
}`

async function consults (page: Page) {
  return await page.evaluate(() => window.testkit.consults.splice(0))
}

test('consultation: ctx.ask resolves with the answer the host gives, the timeout stands still while waiting, and a direct run has nobody to ask', async ({ page }) => {
  await openRuntime(page)
  expect((await startCustom(page, 'asker', ASKER)).ok).toBe(true)
  // The answer comes after 1.5 s; the task's budget is 1 s, paused while the question is open.
  const r = await run(page, 'asker', 'plan the dinner', { timeoutMs: 1000, consult: { answer: 'Thai', answerAfterMs: 1500 } })
  expect(r.ok, JSON.stringify(r)).toBe(true)
  if (r.ok) expect(r.result).toEqual({ text: 'Dinner: Thai', output: { answer: 'Thai' } })
  expect(r.ms).toBeGreaterThan(1400)
  expect(await consults(page)).toEqual([{ type: 'ask', text: 'Which cuisine should the team dinner be?', to: 'person' }])
  const mesh = await run(page, 'asker', 'mesh', { consult: { answer: 'Pho' } })
  expect(mesh.ok && mesh.result.text).toBe('Dinner: Pho')
  expect(await consults(page)).toEqual([{ type: 'ask', text: 'Which cuisine should the team dinner be?', to: 'mesh' }])
  // The clock runs again once answered: 1.5 s of work after the answer exceeds the 1 s budget.
  const late = await run(page, 'asker', 'slow after', { timeoutMs: 1000, consult: { answer: 'Thai', answerAfterMs: 800 } })
  expect(late).toMatchObject({ ok: false, code: 'timeout' })
  if (!late.ok) expect(late.message).toContain('(not counting time waiting for answers)')
  expect(late.ms).toBeGreaterThan(1700)
  await consults(page)

  // Without consultation hooks (a direct run) the question fails, clearly; the agent's failure says why.
  const direct = await run(page, 'asker', 'plan the dinner')
  expect(direct).toMatchObject({ ok: false, code: 'failed' })
  if (!direct.ok) expect(direct.message).toContain('ask: this task has nobody to ask (it was not submitted through the mesh)')
  // A question over 2000 characters is refused in the agent, before anything is sent.
  const long = await run(page, 'asker', 'too long', { consult: { answer: 'x' } })
  expect(long.ok && long.result.text).toBe('TypeError: ask: the question has 2001 characters, more than the 2000 allowed')
  expect(await consults(page)).toEqual([])
  expect(await status(page, 'asker')).toMatchObject({ state: 'idle', restarts: 0 })
})

test('consultation: a pending ctx.ask rejects when the task is cancelled', async ({ page }) => {
  await openRuntime(page)
  await startCustom(page, 'patient', `export default async (task, ctx) => {
    try {
      await ctx.ask('Shall I go on?')
    } catch (e) {
      ctx.log('ask rejected: ' + e.name + (typeof e.code === 'string' ? ' ' + e.code : ''))
      throw e
    }
    return 'answered'
  }`)
  // Nobody answers; the caller cancels after 300 ms.
  const r = await run(page, 'patient', 'go', { cancelAfterMs: 300, consult: {} })
  expect(r).toMatchObject({ ok: false, code: 'cancelled' })
  expect(r.ms).toBeLessThan(1500)
  expect(await consults(page)).toEqual([{ type: 'ask', text: 'Shall I go on?', to: 'person' }])
  await expect.poll(async () => (await eventsOf(page, 'log', 'patient')).map(e => (e as { message: string }).message).find(m => m.startsWith('ask rejected')))
    .toMatch(/^ask rejected: (AbortError|AgentRunError cancelled)$/)
  // The worker let go of the task: the agent takes the next one.
  await expect.poll(async () => (await status(page, 'patient'))?.running).toBe(0)
  const next = await run(page, 'patient', 'go', { consult: { answer: 'yes' } })
  expect(next.ok && next.result.text).toBe('answered')
})

test('consultation: ctx.alert reaches the host; ctx.handOff ends the run as a handoff with the reason, even when the agent swallows it', async ({ page }) => {
  await openRuntime(page)
  await startCustom(page, 'alarm', `export default async (task, ctx) => {
    ctx.alert('disk almost full', 'critical')
    ctx.alert('default severity')
    let refused = ''
    try { ctx.alert('x', 'loud') } catch (e) { refused = e.message }
    return refused
  }`)
  const r = await run(page, 'alarm', 'go', { consult: {} })
  expect(r.ok && r.result.text).toBe(`alert: severity must be 'info', 'warning', 'critical', got "loud"`)
  expect(await consults(page)).toEqual([
    { type: 'alert', text: 'disk almost full', severity: 'critical' },
    { type: 'alert', text: 'default severity', severity: 'warning' }
  ])
  // Without hooks an alert still shows, in the runtime's log.
  await run(page, 'alarm', 'go')
  expect(await consults(page)).toEqual([])
  const logs = (await eventsOf(page, 'log', 'alarm')).map(e => (e as { message: string }).message)
  expect(logs.filter(m => m === 'alert (critical): disk almost full')).toHaveLength(2)

  await startCustom(page, 'shy', `export default async (task, ctx) => {
    if (task.text === 'swallow') {
      try { ctx.handOff('I only speak French', 'translator@peer') } catch {}
      return 'pretending all is well'
    }
    ctx.handOff('this needs a translator')
  }`)
  const h = await run(page, 'shy', 'go', { consult: {} })
  expect(h).toMatchObject({ ok: false, name: 'AgentRunError', code: 'handoff', handoff: { reason: 'this needs a translator' } })
  if (!h.ok) expect(h.message).toMatch(/^agent shy handed task t-\w+ off: this needs a translator$/)
  const swallowed = await run(page, 'shy', 'swallow')
  expect(swallowed).toMatchObject({ ok: false, code: 'handoff', handoff: { reason: 'I only speak French', toAgentId: 'translator@peer' } })
  // A handoff is neither a failure nor a completion of the agent.
  expect(await status(page, 'shy')).toMatchObject({ state: 'idle', failures: 0, completed: 0 })
})
