import { describe, expect, it } from 'vitest'
import { handler } from '../../../src/agents/builtin/summariser.ts'
import { asksToCount } from '../../../src/agents/builtin/text-counts.ts'
import { testContext } from './builtin-context.ts'

// The summariser's text.count skill. Before, every one of these went unassigned ("nobody bid").
const count = async (text: string, input?: unknown) => await handler(input === undefined ? { id: 't', text } : { id: 't', text, input }, testContext())

describe('counting in a text', () => {
  it('counts words, characters, letters, sentences, lines and vowels of the text given', async () => {
    const words = await count('How many words are in this sentence: the quick brown fox jumps over the lazy dog')
    expect(words).toMatchObject({ text: '9 words', output: 9 })
    expect(words.working).toContain('text (after the colon): "the quick brown fox jumps over the lazy dog"')
    expect(await count("Count the characters in 'hello world'")).toMatchObject({ text: '11 characters (10 without spaces)', output: 11 })
    expect((await count('How many letters are in the word Mississippi?')).output).toBe(11)
    expect((await count('How many sentences are in this text: One. Two! Three?')).output).toBe(3)
    expect((await count('How many lines are in this text:\nalpha\nbeta\n\ngamma')).output).toBe(3)
    expect((await count('How many paragraphs are in this text:\nalpha\nbeta\n\ngamma')).output).toBe(2)
    expect((await count("How many vowels are in 'meshwork'?")).output).toBe(2)
    expect((await count("Word count: It's a test. Another one here.")).text).toBe('6 words')
    // Contractions, hyphenated words and numbers are one word each.
    expect((await count("Count the words in \"don't re-run v2.1 now\"")).output).toBe(4)
  })

  it('counts how often a letter or a word occurs, ignoring case', async () => {
    expect(await count("How many r's are in strawberry?")).toMatchObject({ text: '3: "r" occurs 3 times in "strawberry"', output: 3 })
    expect((await count('How many times does the letter a appear in banana?')).output).toBe(3)
    expect((await count('How many s are in Mississippi')).output).toBe(4)
    // A word counts whole: "there" and "other" hold no "the".
    const the = await count("How many times does 'the' appear in: The cat, the dog and there is another")
    expect(the).toMatchObject({ output: 2 })
    expect(the.text).toContain('the word "the" occurs 2 times')
    expect((await count('How often does the word relay occur in: The relay restarted; the relay is up.')).output).toBe(2)
  })

  it('takes the text from input.text, the earlier results in a mission, or the request itself for "this sentence"', async () => {
    expect((await count('How many words are in the text?', { text: 'one two three' })).output).toBe(3)
    const mission = await count('How many words are in the summary?', { s1: 'Tabs connect over WebRTC. Agents run in workers.' })
    expect(mission.output).toBe(8)
    expect(mission.working).toContain('text (the result of s1): "Tabs connect over WebRTC. Agents run in workers."')
    expect((await count('How many words are in this sentence?')).output).toBe(7)
  })

  it('says which text is missing instead of counting the request', async () => {
    await expect(count('How many words are in the summary?')).rejects.toThrow(/say which text to count in/)
  })

  it('tells a count in a given text from questions for the calculator or the graph', () => {
    const asks = (text: string, id = 't-1') => asksToCount({ id, text })
    for (const t of ["How many r's are in strawberry?", 'Count the characters in "hello world"', 'How many words are in this sentence: a b c', 'Word count: some text']) expect(asks(t), t).toBe(true)
    // No text to count in: not this skill's (the researcher or the calculator may answer).
    for (const t of ['How many lines of code does the project have?', 'How many times did the relay restart in May?', 'How many times does 7 go into 56?', 'How many seconds are in a week?', 'How many words are in the summary?']) expect(asks(t), t).toBe(false)
    // A mission's part counts in the results it depends on, which arrive later.
    expect(asks('How many words are in the summary?', 't-1/2')).toBe(true)
  })
})
