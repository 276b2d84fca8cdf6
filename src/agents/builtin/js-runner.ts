/**
 * The js-runner: runs JavaScript in a QuickJS sandbox (WebAssembly) with a deadline, a memory
 * limit and a stack limit. The sandbox has the language and its standard library only: no network,
 * no timers, no DOM, no modules, nothing of the host but a `console` whose lines go to `working`.
 * The value of the script's last expression (awaited if it is a promise) is the output, as JSON; a
 * script that ends with `return ...` (or awaits) at its top level runs as a function body instead.
 *
 * Code comes from `input.code`, else the first fenced block (```js ... ```) in the text, else
 * inline `code` in backticks, else what follows "javascript:"/"js:"/"code:".
 * The rest of the task's input is the script's global `input` (in a mission, the results of the parts
 * it depends on: `input.s1`, ...). Limits: `input.timeoutMs` (default 1000, at most 8000) and `input.memoryMb` (default 32, at most
 * 128). The deadline is checked between bytecode steps; a single native call that runs long (a
 * huge `Array.prototype.fill`) can overshoot it until the runtime's task timeout stops the worker.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core'
import type { AgentContext, AgentResult, AgentTask } from '../types.ts'
import { outOfMemory, quickJSWithMemoryCap } from './quickjs.ts'
import { inputNumber } from './task-input.ts'
import { codeIn } from './code-in-text.ts'

export const JS_RUNNER_DEFAULTS = { timeoutMs: 1000, maxTimeoutMs: 8000, memoryMb: 32, maxMemoryMb: 128, stackKb: 256 } as const
/** Console lines kept (and characters per line); the rest are counted, not kept. */
const MAX_CONSOLE_LINES = 500
const MAX_LINE_LENGTH = 2000
/** Console lines forwarded to ctx.log as well (each is a message to the main thread). */
const MAX_LOGGED_LINES = 50
/** JSON characters of the output value. */
const MAX_OUTPUT_CHARS = 100_000
const FILE_NAME = 'main.js'

/** Builds the sandbox's console from one host function; formatting happens inside the sandbox. */
const CONSOLE_PRELUDE = `(() => {
  const print = globalThis.__print
  delete globalThis.__print
  const json = (v) => { try { const s = JSON.stringify(v, (k, x) => typeof x === 'bigint' ? x.toString() + 'n' : x); return s === undefined ? String(v) : s } catch (e) { return String(v) } }
  const fmt = (v) => typeof v === 'string' ? v
    : typeof v === 'function' ? '[Function ' + (v.name || 'anonymous') + ']'
    : v instanceof Error ? v.name + ': ' + v.message
    : typeof v === 'object' && v !== null ? json(v) : String(v)
  const make = (level) => (...args) => { print(level, args.map(fmt).join(' ')) }
  globalThis.console = { log: make('log'), info: make('info'), warn: make('warn'), error: make('error'), debug: make('debug') }
})()`

export async function handler (task: AgentTask, ctx: AgentContext): Promise<AgentResult> {
  const code = findCode(task)
  const timeoutMs = bounded(inputNumber(task.input, 'timeoutMs', 'js-runner'), JS_RUNNER_DEFAULTS.timeoutMs, 1, JS_RUNNER_DEFAULTS.maxTimeoutMs)
  const memoryMb = bounded(inputNumber(task.input, 'memoryMb', 'js-runner'), JS_RUNNER_DEFAULTS.memoryMb, 1, JS_RUNNER_DEFAULTS.maxMemoryMb)
  ctx.signal.throwIfAborted()
  ctx.progress(0, 'loading the sandbox')
  // A module of its own per task, whose WebAssembly memory cannot grow past the limit: QuickJS' own
  // limit (set below too) does not see typed arrays in this build, so 400 MiB of Uint8Arrays passed a
  // 16 MB limit (see quickJSWithMemoryCap).
  const module = await quickJSWithMemoryCap(memoryMb, 'js-runner')
  ctx.signal.throwIfAborted()

  const consoleLines: string[] = []
  let dropped = 0
  const runtime: QuickJSRuntime = module.newRuntime()
  runtime.setMemoryLimit(memoryMb * 1024 * 1024)
  runtime.setMaxStackSize(JS_RUNNER_DEFAULTS.stackKb * 1024)
  const vm: QuickJSContext = runtime.newContext()
  let hostFailed = false
  try {
    const print = vm.newFunction('__print', (levelHandle, textHandle) => {
      const level = vm.getString(levelHandle)
      let line = vm.getString(textHandle)
      if (line.length > MAX_LINE_LENGTH) line = line.slice(0, MAX_LINE_LENGTH) + '…'
      if (level !== 'log' && level !== 'info') line = `[${level}] ${line}`
      if (consoleLines.length < MAX_CONSOLE_LINES) consoleLines.push(line)
      else dropped++
      if (consoleLines.length <= MAX_LOGGED_LINES && dropped === 0) ctx.log(line)
    })
    vm.setProp(vm.global, '__print', print)
    print.dispose()
    vm.unwrapResult(vm.evalCode(CONSOLE_PRELUDE, 'prelude.js')).dispose()
    // The task's input as data (JSON in, parsed inside): in a mission, the results this part depends
    // on are `input.s1`, `input.s2`, ... ("Compute 2^10, then run this JavaScript: input.s1 * 3").
    const inputJson = scriptInput(task.input)
    if (inputJson !== undefined) {
      const json = vm.newString(inputJson)
      vm.setProp(vm.global, '__input', json)
      json.dispose()
      vm.unwrapResult(vm.evalCode('globalThis.input = JSON.parse(globalThis.__input); delete globalThis.__input', 'input.js')).dispose()
    }

    ctx.progress(0.1, 'running')
    const started = Date.now()
    const deadline = started + timeoutMs
    runtime.setInterruptHandler(() => Date.now() > deadline || ctx.signal.aborted)

    let evaluated = vm.evalCode(code, FILE_NAME)
    // A script that returns (or awaits) at its top level, as a function body would: people write
    // "return [1, 2, 3].map(...)". A syntax error means nothing ran, so it runs again as the body of
    // an async function (on the same first line, so line numbers in errors stay the person's).
    if (evaluated.error !== undefined && bodyOfFunction(vm, evaluated.error, code)) {
      const asBody = vm.evalCode(`(async function () {${code}\n})()`, FILE_NAME)
      // Not a function body either: the error to show is the script's own.
      if (asBody.error !== undefined && (vm.dump(asBody.error) as { name?: unknown } | undefined)?.name === 'SyntaxError') asBody.error.dispose()
      else { evaluated.error.dispose(); evaluated = asBody }
    }
    let result: EvalResult = evaluated.error !== undefined ? { error: evaluated.error } : { value: evaluated.value }
    if (result.error === undefined && vm.typeof(result.value) === 'object' && isPromise(vm, result.value)) {
      result = settle(vm, runtime, result.value, deadline)
    }
    const elapsed = Date.now() - started
    if (result.error !== undefined) {
      const err = vm.dump(result.error) as unknown
      result.error.dispose()
      if (outOfMemory(vm, err)) throw new Error(`js-runner: out of memory (limit ${memoryMb} MB)`)
      throw new Error(describeError(err, { timeoutMs, memoryMb, elapsed, aborted: ctx.signal.aborted }))
    }
    const { output, json } = toOutput(vm, result.value)
    result.value.dispose()

    const working = [...consoleLines]
    if (dropped > 0) working.push(`… ${dropped} more console line${dropped === 1 ? '' : 's'} not shown`)
    working.push(`ran in ${elapsed} ms (limits: ${timeoutMs} ms, ${memoryMb} MB)`)
    ctx.progress(1)
    const text = json !== undefined ? json : consoleLines.length > 0 ? consoleLines.join('\n') : 'undefined'
    return output === undefined ? { text, working } : { text, output, working }
  } catch (err) {
    // Anything thrown by the wasm host itself (not by the sandboxed script) may leave the module
    // broken: it is not touched again (each task has a module of its own, dropped after it).
    if (!(err instanceof Error) || !err.message.startsWith('js-runner:')) {
      hostFailed = true
      if (err instanceof RangeError) throw new Error('js-runner: the sandbox overflowed its host stack (too deep recursion)')
    }
    throw err
  } finally {
    if (!hostFailed) {
      try {
        vm.dispose()
        runtime.dispose()
      } catch {
        // The module goes with this task anyway.
      }
    }
  }
}

/**
 * Whether a failed evaluation may be a function body: the syntax error of a top-level `return`, or
 * any syntax error of a script that uses `await` (QuickJS reports a top-level await as "expecting ';'").
 */
function bodyOfFunction (vm: QuickJSContext, error: QuickJSHandle, code: string): boolean {
  const e = vm.dump(error) as { name?: unknown, message?: unknown } | undefined
  if (e?.name !== 'SyntaxError' || typeof e.message !== 'string') return false
  return /return not in a function/i.test(e.message) || /\bawait\b/.test(code)
}

/** Characters of the task's input handed to the script. */
const MAX_INPUT_CHARS = 1_000_000

/** The task's input as JSON for the script, without the runner's own fields; undefined when there is none. */
export function scriptInput (input: unknown): string | undefined {
  if (input === undefined || input === null) return undefined
  let value = input
  if (typeof input === 'object' && !Array.isArray(input)) {
    const { code: _code, timeoutMs: _t, memoryMb: _m, ...rest } = input as Record<string, unknown>
    if (Object.keys(rest).length === 0) return undefined
    value = rest
  }
  let json: string | undefined
  try { json = JSON.stringify(value) } catch (err) { throw new Error(`js-runner: the task's input cannot be passed to the script as JSON (${err instanceof Error ? err.message : String(err)})`) }
  if (json === undefined) return undefined
  if (json.length > MAX_INPUT_CHARS) throw new Error(`js-runner: the task's input is ${json.length} characters of JSON; the script can be given at most ${MAX_INPUT_CHARS}`)
  return json
}

/** The code to run, or a clear error saying where it was looked for. */
export function findCode (task: AgentTask): string {
  const code = codeIn(task)
  if (code === undefined) throw new Error('js-runner: found no code to run; give it in input.code or in a ```js fenced block')
  return code
}

function bounded (value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  return Math.min(max, Math.max(min, Math.round(value)))
}

function isPromise (vm: QuickJSContext, handle: QuickJSHandle): boolean {
  const state = vm.getPromiseState(handle)
  // A non-promise reports as fulfilled with `notAPromise` and hands back the same handle; a real
  // promise's state holds a new handle, which must be freed or the runtime cannot be disposed.
  if (state.type === 'fulfilled' && state.notAPromise === true) return false
  if (state.type === 'fulfilled') state.value.dispose()
  if (state.type === 'rejected') state.error.dispose()
  return true
}

type EvalResult = { value: QuickJSHandle, error?: undefined } | { error: QuickJSHandle, value?: undefined }

/** Runs pending jobs until the promise settles, the deadline passes or nothing is left to run. */
function settle (vm: QuickJSContext, runtime: QuickJSRuntime, promise: QuickJSHandle, deadline: number): EvalResult {
  try {
    for (;;) {
      const state = vm.getPromiseState(promise)
      if (state.type === 'fulfilled') return { value: state.value }
      if (state.type === 'rejected') return { error: state.error }
      if (Date.now() > deadline) return { error: vm.newError({ name: 'InternalError', message: 'interrupted' }) }
      const jobs = runtime.executePendingJobs()
      if (jobs.error !== undefined) return { error: jobs.error }
      if (jobs.value === 0) {
        return { error: vm.newError({ name: 'Error', message: 'the script ended with a promise that never settles (the sandbox has no timers or I/O)' }) }
      }
    }
  } finally {
    promise.dispose()
  }
}

function toOutput (vm: QuickJSContext, handle: QuickJSHandle): { output: unknown, json: string | undefined } {
  const type = vm.typeof(handle)
  if (type === 'undefined') return { output: undefined, json: undefined }
  if (type === 'function') return { output: '[Function]', json: '"[Function]"' }
  if (type === 'symbol') return { output: '[Symbol]', json: '"[Symbol]"' }
  if (type === 'bigint') {
    const s = vm.getBigInt(handle).toString()
    return { output: s, json: JSON.stringify(s) }
  }
  const value = vm.dump(handle) as unknown
  let json = JSON.stringify(value, (_k, x: unknown) => typeof x === 'bigint' ? x.toString() : x)
  if (json === undefined) return { output: undefined, json: undefined }
  if (json.length > MAX_OUTPUT_CHARS) {
    json = JSON.stringify(`${json.slice(0, MAX_OUTPUT_CHARS)}… (truncated, ${json.length} characters)`)
  }
  return { output: JSON.parse(json) as unknown, json }
}

interface ErrorContext { timeoutMs: number, memoryMb: number, elapsed: number, aborted: boolean }

/** A sandbox error as one line: what went wrong and where. */
export function describeError (err: unknown, c: ErrorContext): string {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as { name?: unknown, message?: unknown, stack?: unknown, lineNumber?: unknown }
  const name = typeof e.name === 'string' ? e.name : 'Error'
  const message = typeof e.message === 'string' ? e.message : String(err)
  if (name === 'InternalError' && message === 'interrupted') {
    return c.aborted ? 'js-runner: cancelled' : `js-runner: exceeded ${c.timeoutMs} ms (stopped after ${c.elapsed} ms)`
  }
  if ((name === 'InternalError' && (message === 'out of memory' || message === 'string too long')) ||
      (name === 'RangeError' && /invalid array length|out of memory/i.test(message))) {
    return `js-runner: out of memory (limit ${c.memoryMb} MB)`
  }
  const where = location(e)
  if (name === 'InternalError' && message === 'stack overflow') {
    return `js-runner: stack overflow (recursion too deep)${where === '' ? '' : ` ${where}`}`
  }
  return `js-runner: ${name}${where === '' ? '' : ` ${where}`}: ${message}`
}

function location (e: { stack?: unknown, lineNumber?: unknown }): string {
  const stack = typeof e.stack === 'string' ? e.stack : ''
  const m = new RegExp(`${FILE_NAME.replace('.', '\\.')}:(\\d+)(?::(\\d+))?`).exec(stack)
  if (m !== null) return m[2] === undefined ? `at line ${m[1]!}` : `at line ${m[1]!}, column ${m[2]}`
  if (typeof e.lineNumber === 'number') return `at line ${e.lineNumber}`
  return ''
}
