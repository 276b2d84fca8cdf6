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

  it('writes a figure with a scale word as one number', () => {
    // Before: "2 million" was "2 1000000", which the calculator could not parse.
    expect(digits('What is 2 million plus 1.5 million?')).toBe('What is 2000000 plus 1500000?')
    expect(digits('over $1 million')).toBe('over $1000000')
    expect(digits('3 thousand and twelve')).toBe('3000 and 12')
    expect(digits('1,200 thousand')).toBe('1200000')
    // Money with a letter for its scale ("3 engineers at $35k each" had been 3 × $35); "5k" alone is no money.
    expect(digits('3 engineers at $35k each, a $1.2m budget')).toBe('3 engineers at $35000 each, a $1200000 budget')
    expect(digits('a 5k run')).toBe('a 5k run')
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
