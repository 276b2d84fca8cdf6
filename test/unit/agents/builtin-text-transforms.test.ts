import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { handler } from '../../../src/agents/builtin/summariser.ts'
import { asksToTransform } from '../../../src/agents/builtin/text-transforms.ts'
import { checkRederived } from '../../../src/agents/builtin/rederive.ts'
import { testContext } from './builtin-context.ts'

// The summariser's text.transform skill. Before, every one of these went unassigned ("nobody bid").
const run = async (text: string, input?: unknown) => await handler(input === undefined ? { id: 't', text } : { id: 't', text, input }, testContext())

describe('rewriting a text', () => {
  it('sorts words, items and lines alphabetically, in reverse or by length', async () => {
    const sorted = await run('Sort these words alphabetically: pear, apple, mango, banana')
    expect(sorted).toMatchObject({ text: 'apple, banana, mango, pear', output: 'apple, banana, mango, pear' })
    expect(sorted.working).toContain('4 items, alphabetically, ignoring case')
    // A last "and" joins two items; case is ignored.
    expect((await run('Sort in reverse alphabetical order: pear, apple, mango and banana')).text).toBe('pear, mango, banana, apple')
    expect((await run('Put these names in alphabetical order: Zoe, adam, Bob')).text).toBe('adam, Bob, Zoe')
    expect((await run('Sort by length: kiwi, banana, fig, apple')).text).toBe('fig, kiwi, apple, banana')
    expect((await run('Sort these words: delta alpha charlie bravo')).text).toBe('alpha bravo charlie delta')
    expect((await run('Alphabetise this list:\n- gamma\n- alpha\n- beta')).text).toBe('alpha\nbeta\ngamma')
    // Numbers inside words sort as numbers: item2 before item10.
    expect((await run('Sort alphabetically: item10, item2, item1')).text).toBe('item1, item2, item10')
    // Sentences named: the sentences are sorted whole (before, their words were: "Apple falls. Mango runs. sits Zebra").
    const sentences = await run('Sort the sentences alphabetically: Zebra runs. Apple falls. Mango sits.')
    expect(sentences.text).toBe('Apple falls. Mango sits. Zebra runs.')
    expect(sentences.working).toContain('3 sentences, alphabetically, ignoring case')
    expect((await run('Reverse the order of these sentences: One is first. Two is next. Three ends it.')).text).toBe('Three ends it. Two is next. One is first.')
  })

  it('reverses a word by its characters, or the order of a list', async () => {
    expect((await run("Reverse the word 'meshwork'")).text).toBe('krowhsem')
    expect((await run('Reverse meshwork')).text).toBe('krowhsem')
    expect((await run('Spell level backwards')).text).toBe('level')
    expect((await run('What is stressed backwards?')).text).toBe('desserts')
    expect((await run('Reverse the order of these words: one two three')).text).toBe('three two one')
    expect((await run('Reverse this list: a, b, c')).text).toBe('c, b, a')
    // A character made of several code points (an accent, an emoji with a modifier) stays whole.
    expect((await run('Reverse the word "café👍🏽"')).text).toBe('👍🏽éfac')
  })

  it('splits a text into its words, sentences, lines or characters, and says when it holds none', async () => {
    // Before, nobody had this: "Split this into words: ..." was summarised, unchanged.
    const words = await run('Split this into words: the quick, brown fox — isn\'t it?')
    expect(words).toMatchObject({ text: "6 words: the, quick, brown, fox, isn't, it", output: ['the', 'quick', 'brown', 'fox', "isn't", 'it'] })
    expect((await run('Tokenize: v2.5 ships on 3 May')).output).toEqual(['v2.5', 'ships', 'on', '3', 'May'])
    expect(await run('Break this text up into sentences: The relay runs. It is fast! Is it?')).toMatchObject({ text: '3 sentences: The relay runs. | It is fast! | Is it?', output: ['The relay runs.', 'It is fast!', 'Is it?'] })
    expect((await run('Split into lines:\nalpha\n\nbeta')).output).toEqual(['alpha', 'beta'])
    expect(await run('Split the word "café" into letters')).toMatchObject({ text: '4 characters: c, a, f, é' })
    await expect(run('Split this into words: — … !')).rejects.toThrow('summariser: the text holds no words to split it into')
    expect(asksToTransform({ id: 't', text: 'Split this into words: a b' })).toBe(true)
    expect(asksToTransform({ id: 't', text: 'Split the bill between 4 people' })).toBe(false)
  })

  it('changes case, removes duplicates and tells palindromes', async () => {
    expect((await run('Convert to upper case: hello world')).text).toBe('HELLO WORLD')
    expect((await run('Make this lowercase: HELLO World')).text).toBe('hello world')
    expect((await run('Title case: the lord of the rings')).text).toBe('The Lord of the Rings')
    expect((await run('Capitalise this: hello there. how are you?')).text).toBe('Hello there. How are you?')
    const unique = await run('Remove the duplicates from: a, b, a, c, B')
    expect(unique.text).toBe('a, b, c')
    expect(unique.working).toContain('2 duplicates removed')
    expect((await run('Dedupe this list:\napple\npear\napple')).text).toBe('apple\npear')
    expect(await run('Is racecar a palindrome?')).toMatchObject({ text: 'Yes: "racecar" reads the same backwards', output: true })
    expect((await run("Is 'Never odd or even' a palindrome?")).output).toBe(true)
    expect(await run('Is hello a palindrome?')).toMatchObject({ text: 'No: "hello" reads "olleh" backwards', output: false })
  })

  it('picks out the email addresses, links, phone numbers, numbers, hashtags or mentions a text holds', async () => {
    // Before: nobody bid ("no capable agent in the room").
    const mail = await run('Extract the email addresses from: contact bob@example.com or alice@test.org')
    expect(mail).toMatchObject({ text: 'bob@example.com, alice@test.org', output: 'bob@example.com, alice@test.org' })
    // Without a colon; each address once (ignoring case), in the order they appear.
    const twice = await run('Extract the emails from contact Bob@Example.com, alice@test.org and bob@example.com.')
    expect(twice.text).toBe('Bob@Example.com, alice@test.org')
    expect(twice.working).toContain('3 email addresses found, 2 distinct, in the order they appear')
    expect((await run('List all links in: see https://meshwork.dev/docs, or www.example.org/a?b=1. Thanks')).text).toBe('https://meshwork.dev/docs, www.example.org/a?b=1')
    // A time, a year and a date are not phone numbers.
    expect((await run('Find the phone numbers in: call +44 20 7946 0958 or (555) 123-4567 at 12:30 on 2024-05-01')).text).toBe('+44 20 7946 0958, (555) 123-4567')
    expect((await run('Pull out the hashtags: loving #meshwork and #p2p, not C# or &#39;')).text).toBe('#meshwork, #p2p')
    // An email address is not a mention.
    expect((await run('Extract the mentions from: thanks @alice and @bob_2, mail carol@x.io')).text).toBe('@alice, @bob_2')
    expect((await run('Extract the numbers from: 3 apples, 12.5 kg, -4 degrees and 1,200 people')).text).toBe('3, 12.5, -4, 1,200')
    // Two kinds asked for: each, by name (a phone number's digits are not also numbers).
    expect((await run('Get the email addresses and phone numbers from: ring 020 7946 0958 or mail bob@example.com')).text).toBe('email addresses: bob@example.com; phone numbers: 020 7946 0958')
    expect((await run('List the links and hashtags in: #p2p')).text).toBe('links: none; hashtags: #p2p')
    // None found is an answer, not a failure.
    expect((await run('Find the email addresses in "no mail here"')).text).toBe('None: the text holds no email addresses')
    await expect(run('Find numbers that add up to 10')).rejects.toThrow(/say which text to find the numbers in/)
  })

  it('picks out the dates a text names, each with its ISO form; a day the calendar lacks is an error naming it', async () => {
    // Before, nobody bid on this.
    const r = await run('Extract the dates from: The audit is on 4 January 2027 and the follow-up on 18 January 2027.')
    expect(r.text).toBe('4 January 2027 (2027-01-04), 18 January 2027 (2027-01-18)')
    expect(asksToTransform({ id: 't', text: 'Extract the dates from: The audit is on 4 January 2027.' })).toBe(true)
    expect((await run('List the dates in: we met on 2026-11-03 and again on March 5, 2027')).text).toBe('2026-11-03, March 5, 2027 (2027-03-05)')
    expect((await run('Get the dates and email addresses from: ping ana@example.org before 3 May 2027')).text).toBe('dates: 3 May 2027 (2027-05-03); email addresses: ana@example.org')
    expect((await run('Find the dates in "nothing planned"')).text).toBe('None: the text holds no dates')
    await expect(run('Extract the dates from: due 31 February 2027')).rejects.toThrow("summariser: '31 February 2027' is not a date")
  })

  it('takes the text from input.text or the earlier results in a mission, and says when there is none', async () => {
    expect((await run('Sort these words alphabetically', { text: 'b a c' })).text).toBe('a b c')
    const mission = await run('Sort the names alphabetically', { s1: 'Zoe\nAdam\nBob' })
    expect(mission.text).toBe('Adam\nBob\nZoe')
    expect(mission.working).toContain('text (the result of s1): "Zoe Adam Bob"')
    await expect(run('Reverse it')).rejects.toThrow(/say which text to rewrite/)
  })

  it('tells a rewrite of a given text from requests that are not one', () => {
    const asks = (text: string, id = 't-1') => asksToTransform({ id, text })
    for (const t of ['Sort these words alphabetically: pear, apple', "Reverse the word 'meshwork'", 'Is racecar a palindrome?', 'Uppercase: hi there', 'Find the links in: see www.a.org']) expect(asks(t), t).toBe(true)
    // Numbers to sort are the calculator's; no text, or no text rule, is nobody's here.
    for (const t of ['Sort these numbers: 5, 3, 9, 1', 'Sort the tasks by priority', 'Sort out the relay config', 'Reverse the decision we made yesterday',
      'Order pizza for the team', 'Rank the agents by reputation', 'Our team sorted the issues alphabetically', 'Reverse it',
      'Find numbers that add up to 10', 'Find the email addresses of the relay operators']) expect(asks(t), t).toBe(false)
    expect(asks('Sort the names alphabetically', 't-1/2')).toBe(true)
  })

  it('reads no request of the routing corpus (4,300 requests for other skills) as a rewrite', () => {
    const texts: string[] = readFileSync('bench/routing/tasks.txt', 'utf8').split('\n')
    const walk = (x: unknown): void => { if (typeof x === 'string') texts.push(x); else if (Array.isArray(x)) x.forEach(walk); else if (x !== null && typeof x === 'object') Object.values(x).forEach(walk) }
    walk(JSON.parse(readFileSync('bench/routing/corpus.json', 'utf8')))
    expect(texts.length).toBeGreaterThan(4000)
    expect(texts.filter(t => t.length > 8 && asksToTransform({ id: 't', text: t }))).toEqual([])
  })

  it('is checked by a verifier rewriting the text again: the same answer is supported, another disputed', async () => {
    const task = { id: 't', text: 'Sort these words alphabetically: pear, apple, mango, banana' }
    const r = await run(task.text)
    expect(checkRederived({ task, result: { text: r.text, output: r.output } })?.verdict).toMatchObject({ vote: 'support', confidence: 0.99 })
    const wrong = checkRederived({ task, result: { text: 'apple, mango, banana, pear' } })
    expect(wrong?.verdict).toMatchObject({ vote: 'dispute' })
    expect(wrong?.verdict.reason).toBe('rewritten again: "apple, banana, mango, pear", not "apple, mango, banana, pear"')
    const palindrome = { id: 't', text: 'Is hello a palindrome?' }
    expect(checkRederived({ task: palindrome, result: { text: 'No: it reads olleh backwards' } })?.verdict.vote).toBe('support')
    expect(checkRederived({ task: palindrome, result: { text: 'Yes, it is' } })?.verdict.vote).toBe('dispute')
    const links = { id: 't', text: 'List the email addresses in: bob@example.com, carol@example.org' }
    expect(checkRederived({ task: links, result: { text: 'bob@example.com, carol@example.org', output: 'bob@example.com, carol@example.org' } })?.verdict.vote).toBe('support')
    expect(checkRederived({ task: links, result: { text: 'bob@example.com', output: 'bob@example.com' } })?.verdict.vote).toBe('dispute')
    // A split's output is its list: compared by its text (before, the list read as "a,b,c" and every split was disputed).
    const split = { id: 't', text: 'Tokenize: meshwork runs in the browser' }
    const parts = await run(split.text)
    expect(checkRederived({ task: split, result: { text: parts.text, output: parts.output } })?.verdict.vote).toBe('support')
    expect(checkRederived({ task: split, result: { text: '4 words: meshwork, runs, in, browser', output: ['meshwork', 'runs', 'in', 'browser'] } })?.verdict.vote).toBe('dispute')
  })
})
