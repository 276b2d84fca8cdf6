import { describe, expect, it } from 'vitest'
import { handler } from '../../../src/agents/builtin/calculator.ts'
import { evaluateExpression, math, translateRequest } from '../../../src/agents/builtin/math.ts'
import { testContext } from './builtin-context.ts'

const calc = (text: string, input?: unknown) => handler(input === undefined ? { id: 't', text } : { id: 't', text, input }, testContext())

describe('calculator', () => {
  it('computes a percentage written in words, with thousands separators', async () => {
    const r = await calc('What is 17% of 2,340?')
    expect(r.output).toBe(397.8)
    expect(r.text).toBe('397.8')
    expect(r.working).toContain('expression: (17 / 100) * 2340')
    expect(r.working).toContain('thousands separators removed')
  })

  it('converts units and shows the conversion', async () => {
    const r = await calc('convert 5 miles to km')
    expect(r.output).toBe('8.04672 km')
    expect(r.working).toContain('5 miles = 8.04672 km')
    expect((await calc('how many km is 5 miles')).output).toBe('8.04672 km')
    expect((await calc('100 fahrenheit in celsius')).text).toMatch(/^37\.7777777\d* degC$/)
    expect((await calc('60 mph in km/h')).output).toBe('96.56064 km / h')
    expect((await calc('How many kilograms is 150 pounds?')).text).toMatch(/^68\.0388\d* kilograms$/)
  })

  it('does statistics over a list of numbers', async () => {
    const mean = await calc('mean of 3, 5, 9')
    expect(mean.output).toBeCloseTo(17 / 3, 9)
    expect(mean.working).toContain('expression: mean(3, 5, 9)')
    expect((await calc('What is the median of 7 2 9 4 11?')).output).toBe(7)
    expect((await calc('standard deviation of 2, 4, 4, 4, 5, 5, 7 and 9')).output).toBeCloseTo(2.13809, 4)
    expect((await calc('sum of 120, 340 and 95')).output).toBe(555)
  })

  it('reads operators written in words', async () => {
    expect((await calc('What is 12 plus 30 minus 7?')).output).toBe(35)
    expect((await calc('how much is 1,000,000 divided by 8')).output).toBe(125000)
    expect((await calc('what is 6 x 7')).output).toBe(42)
    expect((await calc('square root of 144')).output).toBe(12)
    expect((await calc('2 to the power of 10')).output).toBe(1024)
    expect((await calc('Calculate 2 * (3 + 4) ^ 2')).output).toBe(98)
  })

  it('checks an equation as a comparison', async () => {
    expect((await calc('2 + 2 = 5')).output).toBe(false)
    expect((await calc('is 12 * 12 = 144?')).output).toBe(true)
  })

  it('takes input.expression over the text', async () => {
    const r = await calc('ignored words', { expression: '0.1 + 0.2' })
    expect(r.output).toBe(0.3)
  })

  it('explains what it cannot parse or evaluate', async () => {
    await expect(calc('foo +')).rejects.toThrow("calculator: cannot parse 'foo +' — unexpected end of expression")
    await expect(calc('3 * (4')).rejects.toThrow(/calculator: cannot parse '3 \* \(4' — parenthesis \) expected/)
    await expect(calc('tell me a joke')).rejects.toThrow("calculator: found no expression to evaluate in 'tell me a joke'")
    await expect(calc('convert 5 m to kg')).rejects.toThrow(/calculator: cannot evaluate '5 m to kg' — units do not match/)
    await expect(calc('', undefined)).rejects.toThrow(/request is empty/)
  })

  it('refuses functions that would escape the restricted instance', async () => {
    await expect(calc('x', { expression: 'evaluate("1 + 1")' })).rejects.toThrow('function evaluate is disabled')
    await expect(calc('x', { expression: 'import({}, {})' })).rejects.toThrow('function import is disabled')
    await expect(calc('createUnit("foo")')).rejects.toThrow('function createUnit is disabled')
    await expect(calc('x', { expression: 'parse("2")' })).rejects.toThrow('function parse is disabled')
    expect(() => math.evaluate('1 + 1')).toThrow('function evaluate is disabled')
    // Our own evaluation still works after the overrides.
    expect(evaluateExpression('1 + 1').output).toBe(2)
  })

  it('honours an aborted signal', async () => {
    const ctx = testContext()
    ctx.abort(new Error('cancelled'))
    await expect(handler({ id: 't', text: '1 + 1' }, ctx)).rejects.toThrow('cancelled')
  })

  it('translates requests to expressions', () => {
    expect(translateRequest('what is 15 percent of 80').expression).toBe('(15 / 100) * 80')
    expect(translateRequest('Compute `sqrt(2) * 2`').expression).toBe('sqrt(2) * 2')
    expect(translateRequest('average of 1 and 3').expression).toBe('mean(1, 3)')
  })
})
