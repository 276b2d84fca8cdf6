import { describe, expect, it } from 'vitest'
import { numberWordsToDigits as digits } from '../../../src/agents/builtin/number-words.ts'

describe('numbers in words', () => {
  it('writes whole numbers as digits', () => {
    expect(digits('What is thirty plus twelve?')).toBe('What is 30 plus 12?')
    expect(digits('twenty-three minus seven')).toBe('23 minus 7')
    expect(digits('one hundred and five')).toBe('105')
    expect(digits('nineteen hundred')).toBe('1900')
    expect(digits('two thousand three hundred')).toBe('2300')
    expect(digits('five thousand and one')).toBe('5001')
    expect(digits('two million three thousand and ten')).toBe('2003010')
    expect(digits('a million times three')).toBe('1000000 times 3')
    expect(digits('A hundred and twenty')).toBe('120')
  })

  it('joins words into one number only where English does', () => {
    expect(digits('add three and four')).toBe('add 3 and 4')
    expect(digits('three four')).toBe('3 4')
    expect(digits('one hundred and five and six')).toBe('105 and 6')
    expect(digits('twenty thirty')).toBe('20 30')
    expect(digits('zero zero')).toBe('0 0')
    expect(digits('thousand million')).toBe('1000 1000000')
  })

  it('leaves ordinals, fractions and other words alone', () => {
    expect(digits('a third of nine')).toBe('a third of 9')
    expect(digits('to the nearest hundredth')).toBe('to the nearest hundredth')
    expect(digits('the second result')).toBe('the second result')
    expect(digits('someone, tension, fortnight')).toBe('someone, tension, fortnight')
    expect(digits('')).toBe('')
  })
})
