import { describe, expect, it } from 'vitest'
import { checkNumberClaim, isPrime } from '../../../src/agents/builtin/number-claims.ts'
import { handler as verifier } from '../../../src/agents/builtin/verifier.ts'
import { handler as calculator } from '../../../src/agents/builtin/calculator.ts'
import { testContext } from './builtin-context.ts'

const vote = (claim: string) => checkNumberClaim(claim)?.verdict.vote

describe('claims about whole numbers', () => {
  it('tests primality exactly, also of large numbers', () => {
    const primes = [2n, 3n, 17n, 7919n, 2147483647n, 1000000007n, 18446744073709551557n]
    const composites = [0n, 1n, 4n, 91n, 561n, 1105n, 3215031751n, 3825123056546413051n]
    for (const p of primes) expect(isPrime(p), String(p)).toBe(true)
    for (const c of composites) expect(isPrime(c), String(c)).toBe(false)
    // Against trial division for every number below 2,000.
    const trial = (n: number) => { if (n < 2) return false; for (let d = 2; d * d <= n; d++) if (n % d === 0) return false; return true }
    for (let n = 0; n < 2000; n++) expect(isPrime(BigInt(n)), String(n)).toBe(trial(n))
  })

  it('supports true claims and disputes false ones, with the reason', () => {
    expect(vote('17 is prime')).toBe('support')
    expect(vote('Is 91 a prime number?')).toBe('dispute')
    expect(checkNumberClaim('91 is prime')?.verdict.reason).toBe('91 = 7 × 13, so "91 is prime" is false')
    expect(vote("91 isn't prime")).toBe('support')
    expect(vote('1,024 is even')).toBe('support')
    expect(vote('12 is not odd')).toBe('support')
    expect(vote('144 is a perfect square')).toBe('support')
    expect(vote('145 is a perfect square')).toBe('dispute')
    expect(vote('27 is a perfect cube')).toBe('support')
    expect(vote('84 is divisible by 7')).toBe('support')
    expect(vote('100 is a multiple of 8')).toBe('dispute')
    expect(vote('6 is a factor of 84')).toBe('support')
    expect(vote('1 is prime')).toBe('dispute')
  })

  it('leaves other claims alone, and numbers too large to judge exactly', () => {
    expect(checkNumberClaim('2 + 2 is 4')).toBeUndefined()
    expect(checkNumberClaim('the relay is prime')).toBeUndefined()
    expect(checkNumberClaim('17 is a lucky number')).toBeUndefined()
    expect(checkNumberClaim(`${'9'.repeat(30)} is prime`)).toBeUndefined()
  })

  it('is how the verifier checks "Check that 17 is prime", and how the calculator answers "Is 91 prime?"', async () => {
    const v = await verifier({ id: 't', text: 'Check that 17 is prime' }, testContext())
    expect(v.output).toMatchObject({ verdict: { vote: 'support' }, method: 'arithmetic' })
    const c = await calculator({ id: 't', text: 'Is 91 prime?' }, testContext())
    expect(c.output).toBe(false)
    expect(c.text).toBe('No: 91 = 7 × 13')
    expect((await calculator({ id: 't', text: 'is 1,024 divisible by 8' }, testContext())).text).toBe('Yes: 1024 ÷ 8 = 128')
  })

  it('judges leap years by the Gregorian rule, for the verifier and the calculator', async () => {
    expect(checkNumberClaim('2027 is a leap year')?.verdict).toMatchObject({ vote: 'dispute', reason: '2027 is not divisible by 4, so "2027 is a leap year" is false' })
    expect(checkNumberClaim('1900 is not a leap year')?.verdict.vote).toBe('support')
    expect(checkNumberClaim('2000 is a leap year')?.verdict.vote).toBe('support')
    const v = await verifier({ id: 't', text: 'Is it true that 2028 is a leap year?' }, testContext())
    expect(v.verdict).toMatchObject({ vote: 'support', confidence: 0.99 })
    // Before: "cannot evaluate '2027 a leap year' — undefined symbol a".
    const c = await calculator({ id: 't', text: 'Is 2027 a leap year?' }, testContext())
    expect(c).toMatchObject({ text: 'No: 2027 is not a leap year (2027 is not divisible by 4)', output: false })
    expect((await calculator({ id: 't', text: 'Was 1900 a leap year?' }, testContext())).text).toBe('No: 1900 is not a leap year (1900 is divisible by 100 but not by 400)')
  })
})
