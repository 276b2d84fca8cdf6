/**
 * A custom agent's sandbox: the person's module runs in QuickJS (WebAssembly, the same
 * `release-sync` build the js-runner uses) inside the agent's own worker, so it gets what QuickJS
 * has, the language and its standard library, plus what the prelude adds (`ctx`, timers, console)
 * and nothing else: no network, no storage, no DOM, no modules, no handle on the worker.
 *
 * Bounds the worker alone could not give:
 * - memory: each sandbox has a QuickJS module of its own whose WebAssembly memory is capped at the
 *   limit ({@link SANDBOX_DEFAULTS}, or the manifest's `limits.memoryMb`) plus the module's own
 *   overhead (8 MiB), a hard bound (QuickJS' own `setMemoryLimit` is set too, but does not bound
 *   typed arrays and many small allocations in this build: see quickJSWithMemoryCap); an agent that
 *   exceeds it fails with "custom agent exceeded its memory limit of N MiB", the sandbox is rebuilt
 *   from the source (module state starts over) and the next task runs as usual; the worker and the
 *   tab are not touched;
 * - CPU: an interrupt handler stops code that runs past its task's deadline (the worker keeps one,
 *   paused while `ctx.ask` waits, like the main thread's) or whose task was cancelled (a shared
 *   flag the main thread sets, readable while the worker's thread is busy); the worker stays
 *   responsive, so it need not be killed;
 * - stack: a maximum stack size.
 *
 * An uncaught error in a timer callback is the agent's crash, as it was in a plain worker: the
 * owner's `onCrash` hears of it (the worker reports it and is replaced). Unhandled promise
 * rejections are not detected (quickjs-emscripten does not expose QuickJS' rejection tracker).
 *
 * Tasks of one agent share its sandbox (module-level state persists between tasks, as before). With
 * `maxConcurrentTasks` above 1 they share its memory limit too, and an interrupt stops whatever code
 * runs at that moment.
 */
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core'
import { isOutOfMemoryError, outOfMemory, quickJSWithMemoryCap } from '../builtin/quickjs.ts'
import { AgentRunError, type AgentContext, type AgentTask, type GraphListFilter } from '../types.ts'
import { TaskDeadline } from './deadline.ts'
import { toWireError, type LoadProblem, type SandboxInfo, type WireError } from './protocol.ts'
import { PRELUDE } from './quickjs-prelude.ts'

export const SANDBOX_DEFAULTS = { memoryMb: 64, stackKb: 256 } as const
/** The name the source has inside the sandbox, in stacks and syntax errors. */
const FILE_NAME = 'agent.js'
/** The worker's own deadline runs this much after the budget it was given, so the main thread (the authority) times out first. */
const DEADLINE_GRACE_MS = 100

export interface SandboxOptions {
  memoryMb?: number
  stackKb?: number
  /** The agent crashed (an uncaught error in a timer callback, or the wasm host failed): the worker should go. */
  onCrash: (reason: string) => void
}

export interface SandboxRunOptions {
  /** The task's remaining budget, ms; the sandbox interrupts the agent's code once it is used up (not counting `ctx.ask` waits). */
  timeoutMs?: number
  /** True once the main thread has given the task up; read by the interrupt handler, so it works while the worker's thread is busy. */
  stopped?: () => boolean
}

export type SandboxLoad = { ok: true, sandbox: CustomAgentSandbox } | { ok: false, problem: LoadProblem, message: string }

interface Run {
  key: number
  ctx: AgentContext
  deadline: TaskDeadline | undefined
  stopped: (() => boolean) | undefined
  /** The worker has heard of the abort (or the task is over): the shared flag no longer matters. */
  abortSeen: boolean
  ended: boolean
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

/** One QuickJS runtime with the agent's module loaded in it. Replaced whole after a memory failure. */
interface Instance {
  runtime: QuickJSRuntime
  vm: QuickJSContext
  api: QuickJSHandle
  runs: Map<number, Run>
  timers: Map<number, ReturnType<typeof setTimeout>>
  deferreds: Set<QuickJSDeferredPromise>
  alive: boolean
}

class LoadFailure extends Error {
  constructor (readonly problem: LoadProblem, message: string) { super(message) }
}

export class CustomAgentSandbox {
  readonly info: SandboxInfo
  private instance: Promise<Instance> | undefined
  private keySeq = 0

  private constructor (private readonly source: string, private readonly opts: SandboxOptions) {
    this.info = { engine: 'quickjs', memoryMb: opts.memoryMb ?? SANDBOX_DEFAULTS.memoryMb, stackKb: opts.stackKb ?? SANDBOX_DEFAULTS.stackKb }
  }

  /** Loads the source into a fresh sandbox; a source that does not parse, throws or exports no function is refused with the reason. */
  static async load (source: string, opts: SandboxOptions): Promise<SandboxLoad> {
    const sandbox = new CustomAgentSandbox(source, opts)
    try {
      const inst = await boot(source, sandbox.info.memoryMb, sandbox.info.stackKb, i => sandbox.hooks(i))
      sandbox.instance = Promise.resolve(inst)
      return { ok: true, sandbox }
    } catch (err) {
      if (err instanceof LoadFailure) return { ok: false, problem: err.problem, message: err.message }
      return { ok: false, problem: 'sandbox', message: `could not set up the QuickJS sandbox: ${(err as Error)?.message ?? String(err)}` }
    }
  }

  /**
   * Runs one task: resolves with what the agent returned, as plain JSON data (undefined if it
   * returned nothing), or rejects with the agent's error, a timeout or cancellation
   * ({@link AgentRunError}), or the memory failure.
   */
  async run (task: AgentTask, ctx: AgentContext, opts: SandboxRunOptions = {}): Promise<unknown> {
    const inst = await this.current()
    const key = ++this.keySeq
    return await new Promise<unknown>((resolve, reject) => {
      const run: Run = { key, ctx, deadline: undefined, stopped: opts.stopped, abortSeen: false, ended: false, resolve, reject }
      const onAbort = (): void => {
        run.abortSeen = true
        const r = ctx.signal.reason as { name?: unknown, message?: unknown } | undefined
        this.call(inst, 'abort', [key, typeof r?.name === 'string' ? r.name : 'AbortError', typeof r?.message === 'string' ? r.message : 'the task was aborted'])
      }
      const settle = (): void => {
        run.ended = true
        run.deadline?.clear()
        ctx.signal.removeEventListener('abort', onAbort)
        inst.runs.delete(key)
      }
      run.resolve = v => { settle(); resolve(v) }
      run.reject = e => { settle(); reject(e) }
      if (opts.timeoutMs !== undefined) {
        const ms = opts.timeoutMs
        run.deadline = new TaskDeadline(ms + DEADLINE_GRACE_MS, () => this.end(inst, run, new AgentRunError('timeout', `custom agent: task ${task.id} took longer than ${ms} ms`)))
      }
      inst.runs.set(key, run)
      if (ctx.signal.aborted) onAbort()
      else ctx.signal.addEventListener('abort', onAbort, { once: true })
      this.call(inst, 'start', [key, JSON.stringify(task), JSON.stringify({ agentId: ctx.agentId, llmAvailable: ctx.llmAvailable })])
    })
  }

  /** Frees the sandbox; running tasks fail. */
  dispose (): void {
    void this.instance?.then(inst => this.teardown(inst, new AgentRunError('stopped', 'the custom agent sandbox was disposed')), () => {})
    this.instance = undefined
  }

  private async current (): Promise<Instance> {
    if (this.instance === undefined) {
      const p = boot(this.source, this.info.memoryMb, this.info.stackKb, i => this.hooks(i))
      this.instance = p
      p.catch(() => { if (this.instance === p) this.instance = undefined })
    }
    let inst: Instance
    try {
      inst = await this.instance
    } catch (err) {
      throw new Error(`custom agent: its sandbox could not be rebuilt: ${(err as Error).message}`)
    }
    if (inst.alive) return inst
    this.instance = undefined
    return await this.current()
  }

  /** Host functions of one instance, bound to it. */
  private hooks (inst: Instance): HostHooks {
    return {
      call: (op, key, args) => this.syncOp(inst, op, key, args),
      callAsync: (op, key, args) => this.asyncOp(inst, op, key, args),
      done: (key, json) => this.done(inst, key, json),
      timer: (id, ms) => {
        clearTimeout(inst.timers.get(id))
        inst.timers.set(id, setTimeout(() => {
          inst.timers.delete(id)
          this.call(inst, 'fire', [id])
        }, ms))
      },
      clearTimer: id => {
        clearTimeout(inst.timers.get(id))
        inst.timers.delete(id)
      },
      interrupt: () => this.interrupt(inst),
      drive: () => this.drive(inst),
      hostFailure: err => this.hostFailure(inst, err)
    }
  }

  /** Calls one of the prelude's functions, then runs the jobs it queued; failures are sorted out by {@link fault}. */
  private call (inst: Instance, fn: 'start' | 'abort' | 'fire', args: (string | number)[]): void {
    if (!inst.alive) return
    const { vm } = inst
    try {
      const f = vm.getProp(inst.api, fn)
      const handles = args.map(a => typeof a === 'number' ? vm.newNumber(a) : vm.newString(a))
      const r = vm.callFunction(f, vm.undefined, ...handles)
      f.dispose()
      handles.forEach(h => h.dispose())
      if (r.error !== undefined) {
        const e = vm.dump(r.error) as unknown
        r.error.dispose()
        this.fault(inst, e, fn === 'fire' ? 'timer' : fn)
      } else {
        r.value.dispose()
      }
      this.drive(inst)
    } catch (err) {
      this.hostFailure(inst, err)
    }
  }

  /** Runs pending promise jobs until none are left. */
  private drive (inst: Instance): void {
    if (!inst.alive) return
    try {
      const r = inst.runtime.executePendingJobs(-1)
      if (r.error !== undefined) {
        const e = inst.vm.dump(r.error) as unknown
        r.error.dispose()
        this.fault(inst, e, 'job')
      }
    } catch (err) {
      this.hostFailure(inst, err)
    }
  }

  /** An error that escaped to the host: out of memory, an interrupt (already dealt with), or the agent's crash. */
  private fault (inst: Instance, e: unknown, where: 'start' | 'abort' | 'timer' | 'job'): void {
    if (outOfMemory(inst.vm, e)) { this.memoryFailure(inst); return }
    if (isInterrupted(e)) return
    const w = wire(e)
    const what = where === 'timer' ? 'uncaught error in a timer callback of the agent' : 'uncaught error in the agent'
    this.crash(inst, `${what}: ${w.name}: ${w.message}${w.at !== undefined ? ` (${w.at})` : ''}`)
  }

  private crash (inst: Instance, reason: string): void {
    this.teardown(inst, new Error(reason))
    this.opts.onCrash(reason)
  }

  /** The wasm host itself failed (a trap, its own stack): the module may be corrupt; the worker should go. */
  private hostFailure (inst: Instance, err: unknown): void {
    if (!inst.alive) return
    this.crash(inst, `the QuickJS sandbox failed: ${(err as Error)?.message ?? String(err)}`)
  }

  /** Every task on the instance fails with the memory error; the next task gets a fresh instance. */
  private memoryFailure (inst: Instance): void {
    if (!inst.alive) return
    // Each instance has a module (and wasm memory) of its own: dropping it gives the memory back.
    this.teardown(inst, new Error(`custom agent exceeded its memory limit of ${this.info.memoryMb} MiB; its sandbox was reset (module state starts over)`))
  }

  private teardown (inst: Instance, err: Error): void {
    if (!inst.alive) return
    inst.alive = false
    for (const t of inst.timers.values()) clearTimeout(t)
    inst.timers.clear()
    for (const run of [...inst.runs.values()]) run.reject(err)
    // Nothing is disposed: the WebAssembly module is this instance's alone and is dropped with it,
    // which frees everything at once (disposing a runtime with tasks cut off mid-way trips QuickJS'
    // leak assertion, which aborts the module loudly).
    inst.deferreds.clear()
  }

  /** Fails a task from outside (its deadline passed, or the main thread stopped it) and tells its signal. */
  private end (inst: Instance, run: Run, err: AgentRunError): void {
    if (run.ended) return
    run.reject(err)
    // Not now: this may be called from the interrupt handler, inside the VM.
    setTimeout(() => this.call(inst, 'abort', [run.key, err.code === 'timeout' ? 'TimeoutError' : 'AbortError', err.message]), 0)
  }

  private interrupt (inst: Instance): boolean {
    let stop = false
    for (const run of inst.runs.values()) {
      if (run.ended) continue
      if (run.deadline !== undefined && !run.deadline.paused && run.deadline.remainingMs <= 0) {
        this.end(inst, run, new AgentRunError('timeout', 'custom agent: the task ran past its time budget and its code was interrupted'))
        stop = true
      } else if (!run.abortSeen && run.stopped?.() === true) {
        this.end(inst, run, new AgentRunError('cancelled', 'custom agent: the task was stopped and its code was interrupted'))
        stop = true
      }
    }
    return stop
  }

  private done (inst: Instance, key: number, json: string): void {
    const run = inst.runs.get(key)
    if (run === undefined || run.ended) return
    let out: { ok: boolean, value?: unknown, error?: WireError & { at?: string } }
    try {
      out = JSON.parse(json) as typeof out
    } catch {
      run.reject(new Error('custom agent: its result could not be read'))
      return
    }
    if (out.ok) { run.resolve(out.value); return }
    const e = out.error ?? { name: 'Error', message: 'unknown error' }
    if (isOutOfMemoryError(e)) { this.memoryFailure(inst); return }
    if (isInterrupted(e)) {
      run.reject(new AgentRunError('failed', 'custom agent: its code was interrupted because another task of this agent ran past its time or was stopped (tasks of one agent share a sandbox)'))
      return
    }
    run.reject(errorOf(e))
  }

  private syncOp (inst: Instance, op: string, key: number, args: unknown[]): unknown {
    const run = inst.runs.get(key)
    if (run === undefined || run.ended) return undefined
    const { ctx } = run
    switch (op) {
      case 'progress': ctx.progress(args[0] as number, opt(args[1]) as string | undefined); return undefined
      case 'log': ctx.log(String(args[0])); return undefined
      case 'alert': ctx.alert(args[0] as string, opt(args[1]) as never); return undefined
      case 'handOff': return ctx.handOff(args[0] as string, opt(args[1]) as string | undefined)
      default: throw new Error(`unknown sandbox call ${op}`)
    }
  }

  private async asyncOp (inst: Instance, op: string, key: number, args: unknown[]): Promise<unknown> {
    const run = inst.runs.get(key)
    if (run === undefined || run.ended) throw new AgentRunError('cancelled', 'the task is over')
    const { ctx } = run
    switch (op) {
      case 'embed': return (await ctx.embed(args[0] as string[])).map(v => Array.from(v))
      case 'graph.search': return await ctx.graph.search(args[0] as string, opt(args[1]) as number | undefined)
      case 'graph.get': return await ctx.graph.get(args[0] as string)
      case 'graph.list': return await ctx.graph.list(opt(args[0]) as GraphListFilter | undefined)
      case 'mesh.status': return await ctx.mesh.status()
      case 'mesh.match': return await ctx.mesh.match(args[0] as string, opt(args[1]) as number | undefined)
      case 'llm': return await ctx.llm(args[0] as never)
      case 'spawn': return await ctx.spawn(args[0] as never, args[1] as AgentTask)
      case 'ask': {
        // A person may take minutes: the sandbox's clock stands still meanwhile, as the main thread's does.
        const resume = run.deadline?.pause()
        try {
          return await ctx.ask(args[0] as string, opt(args[1]) as never)
        } finally {
          resume?.()
        }
      }
      default: throw new Error(`unknown sandbox call ${op}`)
    }
  }
}

interface HostHooks {
  call(op: string, key: number, args: unknown[]): unknown
  callAsync(op: string, key: number, args: unknown[]): Promise<unknown>
  done(key: number, json: string): void
  timer(id: number, ms: number): void
  clearTimer(id: number): void
  interrupt(): boolean
  drive(): void
  hostFailure(err: unknown): void
}

/** A fresh runtime and context with the prelude and the agent's module loaded; throws {@link LoadFailure}. */
async function boot (source: string, memoryMb: number, stackKb: number, hooksOf: (inst: Instance) => HostHooks): Promise<Instance> {
  let module
  try {
    module = await quickJSWithMemoryCap(memoryMb)
  } catch (err) {
    throw new LoadFailure('sandbox', (err as Error).message)
  }
  const runtime = module.newRuntime()
  runtime.setMemoryLimit(memoryMb * 1024 * 1024)
  runtime.setMaxStackSize(stackKb * 1024)
  runtime.setModuleLoader(name => ({ error: new Error(`the sandbox has no modules to import ('${name}'): a custom agent is one self-contained module`) }))
  const vm = runtime.newContext()
  const inst: Instance = { runtime, vm, api: vm.undefined, runs: new Map(), timers: new Map(), deferreds: new Set(), alive: true }
  const hooks = hooksOf(inst)
  runtime.setInterruptHandler(() => hooks.interrupt())
  try {
    installHost(inst, hooks)
    inst.api = vm.unwrapResult(vm.evalCode(PRELUDE, 'prelude.js'))

    const compiled = vm.evalCode(source, FILE_NAME, { type: 'module', compileOnly: true })
    if (compiled.error !== undefined) {
      const e = wire(vm.dump(compiled.error))
      compiled.error.dispose()
      // Imports are resolved at compile time too: a refused import is not a syntax error.
      if (e.name !== 'SyntaxError') throw new LoadFailure('threw', `the source could not be loaded: ${e.message}`)
      throw new LoadFailure('syntax', `the source does not parse as a JavaScript module: ${e.name}${e.at !== undefined ? ` at ${e.at}` : ''}: ${e.message}`)
    }
    compiled.value.dispose()

    const evaluated = vm.evalCode(source, FILE_NAME, { type: 'module' })
    let ns: QuickJSHandle
    if (evaluated.error !== undefined) {
      ns = throwLoadError(vm, evaluated.error, memoryMb)
    } else {
      ns = await settleModule(inst, evaluated.value, memoryMb)
    }
    const fn = vm.getProp(ns, 'default')
    ns.dispose()
    const type = vm.typeof(fn)
    if (type === 'undefined') {
      fn.dispose()
      throw new LoadFailure('no-default', 'the source has no default export; write `export default async (task, ctx) => result`')
    }
    if (type !== 'function') {
      const what = vm.dump(fn) === null ? 'null' : type
      fn.dispose()
      throw new LoadFailure('not-function', `the default export is ${what}, not a function; write \`export default async (task, ctx) => result\``)
    }
    const setHandler = vm.getProp(inst.api, 'setHandler')
    vm.unwrapResult(vm.callFunction(setHandler, vm.undefined, fn)).dispose()
    setHandler.dispose()
    fn.dispose()
    return inst
  } catch (err) {
    // The module is this instance's alone and is dropped with it (see teardown).
    inst.alive = false
    for (const t of inst.timers.values()) clearTimeout(t)
    if (err instanceof LoadFailure) throw err
    throw new LoadFailure('threw', `the source could not be loaded: ${(err as Error)?.message ?? String(err)}`)
  }
}

function throwLoadError (vm: QuickJSContext, error: QuickJSHandle, memoryMb: number): never {
  const e = vm.dump(error) as unknown
  error.dispose()
  if (outOfMemory(vm, e)) throw new LoadFailure('threw', `the source exceeded the custom agent memory limit of ${memoryMb} MiB while loading`)
  const w = wire(e)
  throw new LoadFailure('threw', `the source threw while loading: ${w.name}: ${w.message}${w.at !== undefined ? ` (${w.at})` : ''}`)
}

/** The module's namespace: a module with top-level await evaluates to a promise, settled by running jobs (and timers). */
async function settleModule (inst: Instance, value: QuickJSHandle, memoryMb: number): Promise<QuickJSHandle> {
  const { vm, runtime } = inst
  for (;;) {
    const state = vm.getPromiseState(value)
    if (state.type === 'fulfilled') {
      if (state.notAPromise === true) return value
      value.dispose()
      return state.value
    }
    if (state.type === 'rejected') {
      value.dispose()
      throwLoadError(vm, state.error, memoryMb)
    }
    const jobs = runtime.executePendingJobs(-1)
    if (jobs.error !== undefined) {
      value.dispose()
      throwLoadError(vm, jobs.error, memoryMb)
    }
    // Pending on a timer (top-level await): wait for it. The runtime's start timeout bounds this.
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

/** Puts the host functions the prelude takes (and removes from the global object) in place. */
function installHost (inst: Instance, hooks: HostHooks): void {
  const { vm } = inst
  const host = vm.newObject()
  const define = (name: string, fn: (...args: QuickJSHandle[]) => QuickJSHandle | undefined): void => {
    const f = vm.newFunction(name, fn)
    vm.setProp(host, name, f)
    f.dispose()
  }
  const answer = (out: { ok: true, value: unknown } | { ok: false, error: WireError }): QuickJSHandle => vm.newString(JSON.stringify(out))
  define('call', (op, key, args) => {
    try {
      return answer({ ok: true, value: hooks.call(vm.getString(op), vm.getNumber(key), JSON.parse(vm.getString(args)) as unknown[]) })
    } catch (err) {
      return answer({ ok: false, error: toWireError(err) })
    }
  })
  define('callAsync', (op, key, args) => {
    const deferred = vm.newPromise()
    inst.deferreds.add(deferred)
    const name = vm.getString(op)
    const k = vm.getNumber(key)
    const list = JSON.parse(vm.getString(args)) as unknown[]
    void Promise.resolve()
      .then(async () => await hooks.callAsync(name, k, list))
      .then(value => ({ ok: true as const, value }), (err: unknown) => ({ ok: false as const, error: toWireError(err) }))
      .then(out => {
        if (!inst.alive) return
        inst.deferreds.delete(deferred)
        let json: string
        try {
          json = JSON.stringify(out)
        } catch (err) {
          json = JSON.stringify({ ok: false, error: { name: 'TypeError', message: `${name}: the answer is not JSON data (${(err as Error).message})` } })
        }
        try {
          const s = vm.newString(json)
          deferred.resolve(s)
          s.dispose()
          deferred.dispose()
        } catch (err) {
          hooks.hostFailure(err)
          return
        }
        hooks.drive()
      })
    return deferred.handle
  })
  define('done', (key, json) => { hooks.done(vm.getNumber(key), vm.getString(json)); return undefined })
  define('timer', (id, ms) => { hooks.timer(vm.getNumber(id), vm.getNumber(ms)); return undefined })
  define('clearTimer', id => { hooks.clearTimer(vm.getNumber(id)); return undefined })
  vm.setProp(vm.global, '__meshworkHost', host)
  host.dispose()
}

function opt (v: unknown): unknown {
  return v === null ? undefined : v
}

function wire (e: unknown): WireError & { at?: string } {
  const w = toWireError(e) as WireError & { at?: string }
  const stack = (e as { stack?: unknown } | null)?.stack
  const at = (e as { at?: unknown } | null)?.at
  if (typeof at === 'string') w.at = at
  else if (typeof stack === 'string') {
    const m = /agent\.js:(\d+)(?::(\d+))?/.exec(stack)
    if (m !== null) w.at = m[2] === undefined ? `line ${m[1]!}` : `line ${m[1]!}, column ${m[2]}`
  }
  return w
}

function isInterrupted (e: unknown): boolean {
  const x = e as { name?: unknown, message?: unknown } | null
  return x?.name === 'InternalError' && x.message === 'interrupted'
}

/** The agent's error as the host throws it: name and message kept, where in the source appended. */
function errorOf (e: WireError & { at?: string }): Error {
  const message = e.at !== undefined ? `${e.message} (at ${e.at} of the agent's source)` : e.message
  if (e.name === 'AgentRunError' && e.code !== undefined) return new AgentRunError(e.code as AgentRunError['code'], message)
  const err = new Error(message) as Error & { code?: string, tool?: string }
  err.name = e.name
  if (e.code !== undefined) err.code = e.code
  if (e.tool !== undefined) err.tool = e.tool
  return err
}
