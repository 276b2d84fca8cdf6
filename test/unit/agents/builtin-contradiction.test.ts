import { describe, expect, it } from 'vitest'
import { contradiction } from '../../../src/agents/builtin/contradiction.ts'
import { replaces, statementConflict } from '../../../src/agents/builtin/superseded.ts'

describe('contradiction: statements in conflict', () => {
  it('finds a conflict when a statement flips one the graph holds and says the same otherwise', () => {
    const held = 'The login bug is caused by the cache TTL.'
    expect(statementConflict('The login bug is not caused by the cache TTL.', held)).toBe('says the opposite (one of them is negated)')
    // Saying more (what the cause is instead) is still the opposite of it.
    expect(statementConflict('The login bug is not caused by the cache TTL; it is the token refresh.', held)).toBeDefined()
    expect(statementConflict("The cache isn't the cause of the login bug.", held)).toBeDefined()
    expect(statementConflict('SSO is disabled for guests.', 'SSO is enabled for guests.')).toBe('says "enabled" where this statement says "disabled"')
    expect(statementConflict('The relay is public.', 'The relay is private.')).toBeDefined()
    expect(statementConflict('Safari 15 is not supported.', 'We support Safari 15.')).toBeDefined()
    expect(statementConflict('The beta does not launch in December.', 'The beta launches on 3 December 2026.')).toBeDefined()
    // Other numbers, with a flip: the opposite.
    expect(statementConflict('The relay never handles more than 2,000 peers.', 'The relay handles more than 2,000 peers.')).toBe('says the opposite (one of them is negated)')
  })

  it('finds none between an update and what it updates, or statements about different things', () => {
    // Updates (superseded.ts): a new value for the same thing, or said to have changed.
    expect(statementConflict('The relay port is 9091.', 'The relay port is 9090.')).toBeUndefined()
    expect(statementConflict('The staging database runs on Postgres 15.', 'The staging database runs on Postgres 16.')).toBeUndefined()
    expect(statementConflict('SSO is now disabled for guests.', 'SSO is enabled for guests.')).toBeUndefined()
    expect(statementConflict('The relay no longer runs in Frankfurt.', 'The relay runs in Frankfurt.')).toBeUndefined()
    // Another number for the same thing reads as an update (superseded.ts), or, saying other things besides, as about something else.
    expect(statementConflict('The Frankfurt relay handles 2,000 peers at most.', 'The Frankfurt relay handles 5,000 peers.')).toBeUndefined()
    expect(statementConflict('The Frankfurt relay handles 2,000 peers at most.', 'The Frankfurt relay handles 5,000 peers at peak.')).toBeUndefined()
    // Negated, but about something else the other does not say.
    expect(statementConflict('The login page does not load on Safari.', 'The login page loads in 2 seconds.')).toBeUndefined()
    expect(statementConflict('The login bug is not in the cache layer.', 'The signup bug is in the cache layer.')).toBeUndefined()
    // A negation that names another value restricts, it does not deny; opposite words said of other values do not clash.
    expect(statementConflict('The nightly backup does not run on Sundays.', 'The nightly backup runs at 02:00.')).toBeUndefined()
    expect(statementConflict('SSO is disabled on Fridays.', 'SSO is enabled on Mondays.')).toBeUndefined()
    // Denied outright, or of the same value, it is the opposite.
    expect(statementConflict('The nightly backup does not run.', 'The nightly backup runs at 02:00.')).toBeDefined()
    expect(statementConflict('SSO is disabled on Fridays.', 'SSO is enabled on Fridays.')).toBeDefined()
    // Saying the same is no conflict.
    expect(statementConflict('The login bug is not caused by the cache TTL.', 'The login bug is not caused by the cache TTL.')).toBeUndefined()
    expect(statementConflict('The relay is public.', 'The relay is public and fast.')).toBeUndefined()
  })

  it('keeps the verifier\'s looser reading for claims, naming the claim', () => {
    expect(contradiction('The login page does not load on Safari.', 'The login page loads in 2 seconds.')).toBe('says the opposite (one of them is negated)')
    expect(contradiction('Port 9090', 'Port 9091')).toBe('gives 9091 where the claim says 9090')
    expect(contradiction('2 + 2 = 4', 'two and two make four')).toBeUndefined()
  })
})

describe('superseded: a flip said to be a change is an update', () => {
  it('reads "now disabled" after "enabled" as replacing it, and the same flip said plainly as not', () => {
    expect(replaces('SSO is now disabled for guest accounts.', 'SSO is enabled for guest accounts.')).toBe(true)
    expect(replaces('The relay no longer runs in Frankfurt.', 'The relay runs in Frankfurt.')).toBe(true)
    expect(replaces('SSO is disabled for guest accounts.', 'SSO is enabled for guest accounts.')).toBe(false)
    // A change word about something else is not a flip of it.
    expect(replaces('The login page is now disabled.', 'SSO is enabled for guest accounts.')).toBe(false)
  })
})
