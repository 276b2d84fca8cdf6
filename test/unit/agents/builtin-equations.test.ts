import { describe, expect, it } from 'vitest'
import { handler } from '../../../src/agents/builtin/calculator.ts'
import { solveEquation } from '../../../src/agents/builtin/equations.ts'
import { arithmeticRun } from '../../../src/agents/builtin/math.ts'
import { testContext } from './builtin-context.ts'

const calc = (text: string, input?: unknown) => handler(input === undefined ? { id: 't', text } : { id: 't', text, input }, testContext())

describe('equations in the calculator', () => {
  it('solves linear and quadratic equations in one unknown, and shows the check', async () => {
    // Before: "-3", computed from the "2 - 5" inside the equation.
    const q = await calc('Solve x^2 - 5x + 6 = 0')
    expect(q.text).toBe('x = 2 or x = 3')
    expect(q.output).toEqual([2, 3])
    expect(q.working).toContain('as a polynomial: x^2 - 5x + 6 = 0')
    expect(q.working).toContain('check: x^2 - 5x + 6 at x = 3 gives 0')
    expect((await calc('What is x if 3x - 4 = 11?')).text).toBe('x = 5')
    expect((await calc('solve for y: 2(y + 1) = y - 7')).text).toBe('y = -9')
    const roots = (await calc('x² = 2')).output as number[]
    expect(roots).toHaveLength(2)
    expect(roots[0]).toBeCloseTo(-Math.SQRT2, 12)
    expect(roots[1]).toBeCloseTo(Math.SQRT2, 12)
    expect((await calc('Solve (x - 1)^2 = 0')).text).toBe('x = 1')
  })

  it('reads the condition before the question: "If 3x + 4 = 19, how much is x?"', async () => {
    // Before: "cannot parse 'If 3x + 4 == 19, how much is x' — unexpected operator ,".
    const r = await calc('If 3x + 4 = 19, how much is x?')
    expect(r.text).toBe('x = 5')
    expect(r.working).toContain('equation: 3x + 4 = 19')
    expect((await calc('If 2y - 6 = 10, what is y?')).output).toEqual([8])
    expect((await calc('Given that 5x = 20, find x')).output).toEqual([4])
    expect((await calc('Suppose x^2 = 49; what is the value of x?')).output).toEqual([-7, 7])
    // The question asks for an unknown the equation does not hold: said, not guessed.
    await expect(calc('If 3x + 4 = 19, what is y?')).rejects.toThrow("the equation '3x + 4 = 19' has other unknowns besides y (x)")
  })

  it('says when there is no real solution, or every value is one', () => {
    expect(solveEquation('x^2 + 1 = 0')?.text).toBe('no real x is a solution; complex: x = i or x = -i')
    expect(solveEquation('solve 2x + 1 = 2x + 3')?.text).toBe('no x is a solution (the two sides never meet)')
    expect(solveEquation('solve 2(x + 1) = 2x + 2')?.text).toBe('every x is a solution (both sides are always equal)')
  })

  it('finds the real roots of higher degrees numerically', () => {
    const r = solveEquation('x^3 - 6x^2 + 11x - 6 = 0')!
    expect(r.output).toHaveLength(3)
    ;(r.output as number[]).forEach((v, i) => expect(v).toBeCloseTo(i + 1, 9))
    expect(solveEquation('x^3 = 8')?.text).toBe('x = 2')
  })

  it('refuses what it cannot solve with the reason, and leaves non-equations alone', async () => {
    await expect(calc('sin(x) = 0.5')).rejects.toThrow("calculator: can solve polynomial equations in one unknown only; 'sin(x) = 0.5' has x inside sin()")
    await expect(calc('solve 1/x = 2')).rejects.toThrow(/divides by an expression in x/)
    await expect(calc('solve x + y = 3')).rejects.toThrow(/has 2 unknowns \(x, y\)/)
    await expect(calc('solve x^20 = 1')).rejects.toThrow(/power above 8/)
    expect(solveEquation('2 + 2 = 4')).toBeUndefined()
    expect(solveEquation('What is 17% of 2,340?')).toBeUndefined()
    expect(solveEquation('speed = distance / time')).toBeUndefined()
    expect((await calc('Is 2 + 2 = 5 correct?')).text).toBe('No: 2 + 2 = 4, not 5')
    expect((await calc('2 * 6 = 12')).text).toBe('Yes: 2 * 6 = 12')
  })

  it('never computes a fragment of a larger expression out of prose', () => {
    expect(arithmeticRun('x^2 - 5x + 6 = 0')).toBeUndefined()
    expect(arithmeticRun('I bought 3 * 4.50 worth, how much was that')).toBe('3 * 4.50')
    expect(arithmeticRun('f(2 + 3) please')).toBeUndefined()
  })
})

describe('rounding and conversions in the calculator', () => {
  it('rounds to decimal places or significant figures when asked', async () => {
    const r = await calc('What is the square root of 2 to 5 decimal places?')
    expect(r.text).toBe('1.41421')
    expect(r.output).toBe(1.41421)
    expect(r.working).toContain('round to 5 decimal places')
    expect((await calc('round pi to 3 decimals')).text).toBe('3.142')
    expect((await calc('1.5 rounded to 2 decimal places')).text).toBe('1.50')
    expect((await calc('1/3 to 4 significant figures')).text).toBe('0.3333')
    expect((await calc('22 / 7 to the nearest hundredth')).text).toBe('3.14')
    // Counts in words, read as digits before the rounding is.
    expect((await calc('square root of 2 to three significant figures')).text).toBe('1.41')
    expect((await calc('pi to twelve decimal places')).text).toBe('3.141592653590')
    expect((await calc('Convert 72 fahrenheit to celsius, rounded to 1 decimal place')).text).toBe('22.2 degC')
    await expect(calc('sort 3, 1, 2 to 2 decimal places')).rejects.toThrow(/can round a number or a quantity/)
  })

  it('reads "convert N from A to B", as a mission part refers to an earlier result', async () => {
    expect((await calc('convert 391 from meters to feet to 1 decimal place')).text).toBe('1282.8 feet')
    // The second part of "Calculate 17 * 23, then convert the result from meters to feet" failed with "undefined symbol from".
    const r = await calc('Convert the result from meters to feet', { s1: 391 })
    expect(r.output).toBe('1282.8083989501 feet')
  })

  it('lists primes in a range, and converts "a day"', async () => {
    // Both failed in the tour: "undefined symbol List", "found no expression to evaluate".
    expect((await calc('List the prime numbers below 30')).output).toEqual([2, 3, 5, 7, 11, 13, 17, 19, 23, 29])
    expect((await calc('primes between 10 and 30')).output).toEqual([11, 13, 17, 19, 23, 29])
    expect((await calc('What are the primes up to 13?')).output).toEqual([2, 3, 5, 7, 11, 13])
    await expect(calc('list primes below 10000000')).rejects.toThrow("calculator: lists primes in a range of at most 100,000 numbers; 'list primes below 10000000' spans 9,999,999")
    expect((await calc('How many seconds are in a day?')).text).toBe('86400 seconds')
    expect((await calc('how many minutes in an hour')).text).toBe('60 minutes')
  })

  it('keeps a factorial\'s "!", reads logarithms to a base, and answers several conversions', async () => {
    // "Calculate 5!" was answered 5: the "!" was taken for punctuation.
    expect((await calc('Calculate 5!')).output).toBe(120)
    expect((await calc('What is (2 + 1)!?')).output).toBe(6)
    expect((await calc('What is log base 2 of 1024?')).output).toBe(10)
    expect((await calc('log of 1000')).output).toBe(3)
    expect((await calc('natural log of 1')).output).toBe(0)
    const r = await calc('Convert 1 mile to km and 1 kg to pounds')
    expect(r.text).toBe('1 mile = 1.609344 km; 1 kg ≈ 2.20462 lb')
    expect(r.output).toEqual(['1.609344 km', '2.2046226218488 lb'])
  })

  it('differentiates and integrates polynomials, and refuses other functions', async () => {
    expect((await calc('What is the derivative of x^2?')).text).toBe('2x')
    expect((await calc('differentiate 3x^3 - 2x + 7')).text).toBe('9x^2 - 2')
    const definite = await calc('Integrate x^2 from 0 to 3')
    expect(definite.output).toBe(9)
    expect(definite.working).toContain('antiderivative: (1/3)x^3')
    expect((await calc('integral of x^2 + x')).text).toBe('(1/3)x^3 + (1/2)x^2 + C')
    await expect(calc('derivative of sin(x)')).rejects.toThrow("calculator: can differentiate polynomials only; 'sin(x)' has x inside sin()")
  })
})
