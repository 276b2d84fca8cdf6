import { describe, expect, it } from 'vitest'
import { handler } from '../../../src/agents/builtin/js-runner.ts'
import { codeIn } from '../../../src/agents/builtin/code-in-text.ts'
import { testContext } from './builtin-context.ts'

const run = (code: string, extra: Record<string, unknown> = {}) => handler({ id: 't', text: '', input: { code, ...extra } }, testContext())

describe('js-runner', () => {
  it('returns the last expression as JSON and the console in working', async () => {
    const ctx = testContext()
    const r = await handler({
      id: 't',
      text: 'Run this:\n```js\nconsole.log("hi", { a: 1 }, [1, 2])\nconst x = [1, 2, 3].map(v => v * 2)\nx\n```'
    }, ctx)
    expect(r.output).toEqual([2, 4, 6])
    expect(r.text).toBe('[2,4,6]')
    expect(r.working?.[0]).toBe('hi {"a":1} [1,2]')
    expect(ctx.logs).toContain('hi {"a":1} [1,2]')
  })

  it('hands the task\'s input to the script as `input` (a mission part\'s upstream results), without its own fields', async () => {
    const r = await handler({ id: 't', text: 'Run this JavaScript: input.s1 * 3 + Object.keys(input).length', input: { s1: 1024, timeoutMs: 500 } }, testContext())
    expect(r.output).toBe(3073)
    expect((await run('typeof input')).output).toBe('undefined')
    expect((await run('JSON.stringify(input)', { rows: [1, { a: 'x' }] })).output).toBe('{"rows":[1,{"a":"x"}]}')
    await expect(handler({ id: 't', text: 'js: 1', input: { s1: 'x'.repeat(1_000_001) } }, testContext())).rejects.toThrow(/js-runner: the task's input is \d+ characters of JSON/)
  })

  it('finds the code after "Run:" or "Execute:" when it reads as code', async () => {
    // A tour: "Run: while(true){}" went unassigned (nobody bid): the js-runner found no code in it.
    expect(codeIn({ text: 'Run: while(true){}' })).toBe('while(true){}')
    expect(codeIn({ text: 'Execute the following: let a = 2; a * 21' })).toBe('let a = 2; a * 21')
    expect((await handler({ id: 't', text: 'Please run this: [3, 1, 2].sort()' }, testContext())).output).toEqual([1, 2, 3])
    // Words after "Run:" are not code.
    // Code named a few words before the colon; before, nobody bid on this.
    expect(codeIn({ text: 'What does this code return: Math.max(...[3, 9, 2])' })).toBe('Math.max(...[3, 9, 2])')
    expect(codeIn({ text: 'What does the script print: console.log(2 ** 8)' })).toBe('console.log(2 ** 8)')
    expect(codeIn({ text: 'Summarise the code review: it went well overall' })).toBeUndefined()
    expect(codeIn({ text: 'Run: the marathon next Sunday' })).toBeUndefined()
    expect(codeIn({ text: 'Run the tests' })).toBeUndefined()
  })

  it('kills an endless loop at its deadline', async () => {
    const t0 = Date.now()
    await expect(run('while (true) {}')).rejects.toThrow('js-runner: exceeded 1000 ms')
    expect(Date.now() - t0).toBeLessThan(3000)
    await expect(run('for (;;) {}', { timeoutMs: 200 })).rejects.toThrow('js-runner: exceeded 200 ms')
  })

  it('bounds memory that typed arrays take, which QuickJS\' own limit does not see', async () => {
    const started = Date.now()
    await expect(run('const keep = []; for (let i = 0; i < 400; i++) keep.push(new Uint8Array(1 << 20)); keep.length', { memoryMb: 16, timeoutMs: 8000 })).rejects.toThrow('js-runner: out of memory (limit 16 MB)')
    expect(Date.now() - started).toBeLessThan(4000)
    // The next task gets a fresh sandbox and runs; a script that throws null is not out of memory.
    await expect(run('1 + 1')).resolves.toMatchObject({ text: '2' })
    await expect(run('throw null')).rejects.toThrow(/^js-runner: (?!out of memory)/)
  })

  it('reports out of memory for huge allocations', async () => {
    await expect(run('new Array(1e8).fill(0)')).rejects.toThrow('js-runner: out of memory (limit 32 MB)')
    await expect(run('const a = []; for (;;) a.push({ n: a.length })', { memoryMb: 8 })).rejects.toThrow('js-runner: out of memory (limit 8 MB)')
    await expect(run('"x".repeat(1e9)')).rejects.toThrow(/out of memory/)
  })

  it('gives syntax and runtime errors with their line', async () => {
    await expect(run('var x = 1;\nlet y = ;\n')).rejects.toThrow(/^js-runner: SyntaxError at line 2, column \d+: unexpected token/)
    await expect(run('\n\nnull.foo')).rejects.toThrow(/^js-runner: TypeError at line 3, column \d+: cannot read property 'foo' of null/)
    await expect(run('throw new RangeError("bad value")')).rejects.toThrow('js-runner: RangeError at line 1')
    await expect(run('function f () { return f() }\nf()')).rejects.toThrow(/^js-runner: stack overflow/)
  })

  it('runs a script that returns or awaits at its top level as a function body, with its own line numbers', async () => {
    const r = await handler({ id: 't', text: 'Run this JavaScript: return [1,2,3].map(x => x * x)' }, testContext())
    expect(r.output).toEqual([1, 4, 9])
    expect((await run('const a = await Promise.resolve(20)\nreturn a + 22')).output).toBe(42)
    expect((await run('if (input.n > 1) return "big"\nreturn "small"', { n: 2 })).output).toBe('big')
    await expect(run('const x = 1\nnull.foo\nreturn x')).rejects.toThrow(/^js-runner: TypeError at line 2, column \d+: cannot read property 'foo' of null/)
    // Any other syntax error is still the person's, from the script as written.
    await expect(run('return (')).rejects.toThrow(/^js-runner: SyntaxError at line 1/)
  })

  it('is still usable after failures', async () => {
    await expect(run('while (true) {}', { timeoutMs: 50 })).rejects.toThrow(/exceeded/)
    expect((await run('6 * 7')).output).toBe(42)
  })

  it('awaits a promise result and reports a rejected one', async () => {
    expect((await run('(async () => { await null; return 42 })()')).output).toBe(42)
    await expect(run('Promise.reject(new Error("nope"))')).rejects.toThrow('js-runner: Error')
    await expect(run('new Promise(() => {})')).rejects.toThrow(/never settles/)
  })

  it('has no network, timers or host objects', async () => {
    const r = await run('[typeof fetch, typeof XMLHttpRequest, typeof setTimeout, typeof require, typeof process, typeof WebSocket]')
    expect(r.output).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined'])
  })

  it('turns values that are not JSON into readable output', async () => {
    expect((await run('10n ** 20n')).output).toBe('100000000000000000000')
    expect((await run('({ a: 1, f () {} })')).output).toEqual({ a: 1 })
    const r = await run('console.error("bad"); undefined')
    expect(r.output).toBeUndefined()
    expect(r.working?.[0]).toBe('[error] bad')
  })

  it('finds code in inline backticks and refuses a request without code', async () => {
    expect((await handler({ id: 't', text: 'Run `[3, 1, 2].sort()`' }, testContext())).output).toEqual([1, 2, 3])
    await expect(handler({ id: 't', text: 'hello there' }, testContext())).rejects.toThrow(/found no code to run/)
  })

  it('honours an aborted signal', async () => {
    const ctx = testContext()
    ctx.abort()
    await expect(handler({ id: 't', text: '', input: { code: '1' } }, ctx)).rejects.toThrow()
  })
})
