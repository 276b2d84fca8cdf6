import { mkdirSync } from 'node:fs'
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { startStack, openCoordTab, openSkillRoom, registriesHave, expectFullMesh, peerIdOf, customManifest, type Stack } from './harness.ts'

// Leaderless coordination across real tabs: signed protocol messages over gossip on WebRTC, bids
// from on-device matching, agents in workers, results recorded in the shared graph.
test.describe.configure({ mode: 'serial' })

let stack: Stack
let ctxA: BrowserContext
let ctxB: BrowserContext
let a: Page
let b: Page
let c: Page

/** Asked `question` on `page`, the researcher quotes both sides of the conflict and names it as not settled. */
async function expectOpenConflictNamed (page: Page, question: string, conflictId: string): Promise<void> {
  const ask = await page.evaluate(text => window.meshwork.tasks.submit({ text }), question)
  const said = await page.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), ask)
  expect(said, JSON.stringify(said)).toMatchObject({ state: 'completed', skillId: 'graph.answer', result: { output: { conflicts: [{ id: conflictId }] } } })
  expect(said.result?.text).toContain(`say opposite things, and the room has not settled which holds (conflict [${conflictId}]).`)
}

async function openRoomTab (ctx: BrowserContext, agents: string): Promise<Page> {
  return await openCoordTab(ctx, `${stack.url}?room=coord&agents=${agents}`)
}

test.beforeAll(async ({ browser }) => {
  stack = await startStack()
  // Different skills per tab, so the routing is visible: A plans and calculates, B researches, C verifies.
  ;({ ctxA, ctxB, a, b, c } = await openSkillRoom(browser, openRoomTab))
})
test.afterAll(async () => {
  await ctxA?.close().catch(() => {}); await ctxB?.close().catch(() => {})
  await stack?.stop()
})

let firstTask = ''
let missionTask = ''
let missionAnswer = ''
let disputedTask = ''
let verifiedPart = ''

test('a one-part task is routed by matching, run on the winning tab and recorded in the graph', async () => {
  const idA = await peerIdOf(a)
  const id = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'How much is 23% of 1,450?' }))
  firstTask = id
  const done = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), id)
  expect(done).toMatchObject({ state: 'completed', agentId: `calculator@${idA}`, peerId: idA })
  expect(done.result?.text).toContain('333.5')
  expect(done.attempts).toHaveLength(1)
  // Every tab agrees, and the graph holds the task thread with its bids and the result as a hypothesis.
  for (const p of [a, b]) await expect.poll(() => p.evaluate(t => window.meshwork.tasks.get(t)?.state, id), { timeout: 10_000 }).toBe('completed')
  await expect.poll(() => b.evaluate(t => window.meshwork.graph.list({ kind: 'hypothesis' }).filter(e => e.id.startsWith(`result:${t}:`)).map(e => e.provenance.agentId), id), { timeout: 15_000 })
    .toEqual([`calculator@${idA}`])
  // Learning: the completed task's text is now an example of the skill it won with, on every tab.
  await expect.poll(() => b.evaluate(([agent, skill]) => window.meshwork.agents.list().find(x => x.agentId === agent)?.learned?.[skill!] ?? [], [done.agentId!, done.skillId!] as const), { timeout: 10_000 })
    .toContain('How much is 23% of 1,450?')
  // Reputation: the calculator's record for the skill, written by its tab A, is a fact in C's graph
  // and in the registry every tab lists.
  await expect.poll(() => c.evaluate(([agent, skill]) => {
    const fact = window.meshwork.graph.list({ kind: 'fact' }).find(e => e.tags?.includes('reputation') === true && e.data?.agentId === agent)
    const record = (fact?.data?.skills as Record<string, { successes: number, failures: number }> | undefined)?.[skill!]
    return { successes: record?.successes, failures: record?.failures, text: fact?.text.includes(`${skill!}: 1 of 1 try succeeded`) }
  }, [done.agentId!, done.skillId!] as const), { timeout: 15_000 }).toEqual({ successes: 1, failures: 0, text: true })
  await expect.poll(() => b.evaluate(([agent, skill]) => window.meshwork.agents.list().find(x => x.agentId === agent)?.reputation?.[skill!]?.successes, [done.agentId!, done.skillId!] as const), { timeout: 10_000 })
    .toBe(1)
})

test('a two-part request becomes a mission: parts run in parallel on different tabs, a third tab verifies, the result is assembled', async () => {
  const [idA, idB, idC] = [await peerIdOf(a), await peerIdOf(b), await peerIdOf(c)]
  await b.evaluate(() => window.meshwork.graph.add({ kind: 'fact', text: 'The launch date of the Meshwork beta is March 3, 2027.', confidence: 0.9 }))
  await expect.poll(() => a.evaluate(() => window.meshwork.graph.list({ kind: 'fact' }).length), { timeout: 15_000 }).toBeGreaterThan(0)
  const id = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Calculate 17% of 2340. Also find out what the knowledge graph says about the launch date of the Meshwork beta.' }))
  const done = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 45_000 }), id)
  expect(done.state).toBe('completed')
  expect(done.agentId).toBe(`planner@${idA}`)
  const subtasks = done.mission!.subtasks
  expect(subtasks).toHaveLength(2)
  const parts = await Promise.all(subtasks.map(async s => await a.evaluate(t => window.meshwork.tasks.get(t)!, s.taskId)))
  const seen = JSON.stringify(parts.map(p => ({ text: p.text, state: p.state, agentId: p.agentId, reason: p.reason, attempts: p.attempts })))
  const calc = parts.find(p => p.agentId?.startsWith('calculator@'))
  const research = parts.find(p => p.agentId?.startsWith('researcher@'))
  if (calc === undefined || research === undefined) throw new Error(`the parts went elsewhere: ${seen}`)
  expect(calc.peerId).toBe(idA)
  expect(research.peerId).toBe(idB)
  // In parallel: both parts were announced (and bid on) before either finished; neither waited for the other.
  console.log('mission timings', JSON.stringify({ calc: calc.timings, research: research.timings }))
  expect(calc.timings.submittedAt).toBeLessThan(research.timings.finishedAt!)
  expect(research.timings.submittedAt).toBeLessThan(calc.timings.finishedAt!)
  expect(Math.abs(calc.timings.submittedAt - research.timings.submittedAt)).toBeLessThan(50)
  // The arithmetic was checked by the verifier on the third tab.
  const cView = await c.evaluate(t => ({ snap: window.meshwork.tasks.get(t), problems: window.meshwork.stats().problems, log: window.meshwork.node!.recentProblems.slice(-5).map(p => p.message) }), calc.id)
  expect(calc.verification, JSON.stringify(cView)).toMatchObject({ status: 'verified', supporters: [idC] })
  expect(research.result?.citations?.length).toBeGreaterThan(0)
  expect(done.result?.text).toContain('397.8')
  console.log('mission result', JSON.stringify(done.result?.text), '| research:', JSON.stringify(research.result))
  expect(done.result?.text).toMatch(/March 3/)
  missionTask = id
  missionAnswer = done.result!.text
  verifiedPart = calc.id
  // The working group is the agents awarded the parts; the mission is recorded as a solution.
  expect(done.mission!.group.map(g => g.agentId).sort()).toEqual([`calculator@${idA}`, `researcher@${idB}`])
  await expect.poll(() => c.evaluate(t => window.meshwork.graph.list({ kind: 'solution' }).some(e => e.taskId === t), id), { timeout: 15_000 }).toBe(true)
})

test('a mission part works on the result it depends on, and a request that carries a passage stays one task', async () => {
  const [idA, idB] = [await peerIdOf(a), await peerIdOf(b)]
  // s2 "Multiply it by 3" gets s1's 1024 as its input and uses it.
  const id = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'Compute 2^10, then multiply it by 3' }))
  const done = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 45_000 }), id)
  expect(done.state, JSON.stringify(done)).toBe('completed')
  const parts = await Promise.all(done.mission!.subtasks.map(async s => await b.evaluate(t => window.meshwork.tasks.get(t)!, s.taskId)))
  expect(parts.map(p => [p.text, p.state, p.agentId, p.result?.text])).toEqual([
    ['Compute 2^10', 'completed', `calculator@${idA}`, '1024'],
    ['Multiply it by 3', 'completed', `calculator@${idA}`, '3072']
  ])
  expect(done.result?.text).toBe('3072')
  // Before, the planner cut this passage into a mission of one part per sentence.
  const passage = ['The city council launched a bicycle sharing program with two thousand bikes downtown.',
    'Residents can rent a bike at any of 150 docking stations and return it at another.',
    'Yesterday it rained heavily and the football match was postponed.',
    'Officials expect the scheme to reduce car traffic and air pollution in the centre.',
    'A yearly membership costs forty dollars, and single rides cost two dollars.',
    'Cycling groups welcomed the stations but asked for more protected bike lanes.'].join(' ')
  const sid = await a.evaluate(t => window.meshwork.tasks.submit({ text: `Summarise in two sentences: ${t}` }), passage)
  const summary = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 30_000 }), sid)
  expect(summary, JSON.stringify(summary)).toMatchObject({ state: 'completed', agentId: `summariser@${idB}` })
  expect(summary.mission).toBeUndefined()
  expect(summary.result?.text).not.toContain('football')
  expect(summary.result?.text.length).toBeLessThan(passage.length / 2)
  // The verifier on the third tab checks the summary against the passage: both sentences quoted from
  // it, as many as asked. Before, every verifier abstained and summaries stayed unverified.
  await expect.poll(() => a.evaluate(t => window.meshwork.tasks.get(t)?.verification, sid), { timeout: 20_000 }).toMatchObject({ status: 'verified', supporters: [await peerIdOf(c)] })
  // A question whose words match no skill, which the graph can answer (test 2 added the fact): the
  // researcher bids on what the graph holds. Before, nobody bid and it ended unassigned.
  const qid = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'When does the Meshwork beta launch?' }))
  const answer = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 30_000 }), qid)
  expect(answer, JSON.stringify(answer)).toMatchObject({ state: 'completed', agentId: `researcher@${idB}` })
  expect(answer.result?.text).toMatch(/March 3, 2027/)
  expect(answer.result?.citations?.length).toBeGreaterThan(0)
  // Not a summary but a count: the summariser counts the words of the text given (it once won this on
  // "this sentence" and echoed the sentence back as its summary; then nobody bid).
  const wid = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'How many words are in this sentence: the quick brown fox' }))
  const words = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), wid)
  expect(words, JSON.stringify(words)).toMatchObject({ state: 'completed', agentId: `summariser@${idB}`, skillId: 'text.count', result: { text: '4 words', output: 4 } })
  // Sorting words is the summariser's too (text.transform): before, nobody bid ("no capable agent in the room").
  const sortId = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'Sort these words alphabetically: pear, apple, mango and banana' }))
  const sorted = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), sortId)
  expect(sorted, JSON.stringify(sorted)).toMatchObject({ state: 'completed', agentId: `summariser@${idB}`, skillId: 'text.transform', result: { text: 'apple, banana, mango, pear' } })
  // A check of a claim with no arithmetic in it is the verifier's, although its words (a date) match
  // the calculator's date skill better: before, the calculator won it and failed ("cannot parse").
  const kid = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'Is it true that the Meshwork beta launches on March 3, 2027?' }))
  const check = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), kid)
  const idC = await peerIdOf(c)
  expect(check, JSON.stringify(check)).toMatchObject({ state: 'completed', agentId: `verifier@${idC}` })
  expect(check.result?.text).toMatch(/^Supported/)
  // The clock, read in the asking person's time zone, which goes with the task to the agent's tab;
  // the bid is on the calculator's dates skill (its words matched its statistics skill). Before,
  // the calculator failed it: "found no expression to evaluate".
  const tid = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'What time is it?', timeZone: 'Asia/Tokyo' }))
  const time = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), tid)
  expect(time, JSON.stringify(time)).toMatchObject({ state: 'completed', agentId: `calculator@${idA}`, skillId: 'math.dates-interest' })
  expect(time.result?.text).toMatch(/^\d\d:\d\d on \w+day, \d{1,2} \w+ \d{4} \(Asia\/Tokyo\)$/)
  // A word problem is one task (the planner split it into a subtask per sentence, meaningless apart),
  // and the calculator's: its bid rule reads the story.
  const storyId = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'Tom has 12 marbles. He gives 5 to Sara. How many marbles does Tom have left?' }))
  const told = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), storyId)
  expect(told, JSON.stringify(told)).toMatchObject({ state: 'completed', agentId: `calculator@${idA}`, skillId: 'math.evaluate' })
  expect(told.result?.text).toBe('7 marbles')
  // So is a question of distance, time or speed: before, "A car drives at 60 km/h for 3 hours" and
  // "How far does it go?" became two parts, each of which failed.
  const tripId = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'A car drives at 60 km/h for 3 hours. How far does it go?' }))
  const trip = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), tripId)
  expect(trip, JSON.stringify(trip)).toMatchObject({ state: 'completed', agentId: `calculator@${idA}` })
  expect(trip.mission).toBeUndefined()
  expect(trip.result?.text).toBe('180 km')
  // Days to a moment the graph dates: a mission of the graph's answer (the researcher) and a count
  // from today (the calculator on another tab). Before, the researcher answered with the date alone.
  const untilId = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'How many days until the Meshwork beta launches?', timeZone: 'UTC' }))
  const until = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 45_000 }), untilId)
  expect(until.state, JSON.stringify(until)).toBe('completed')
  const untilParts = await Promise.all(until.mission!.subtasks.map(async s => await c.evaluate(t => window.meshwork.tasks.get(t)!, s.taskId)))
  const now = new Date()
  const days = Math.round((Date.UTC(2027, 2, 3) - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) / 86_400_000)
  expect(untilParts.map(p => [p.text, p.agentId])).toEqual([
    ['Find when the Meshwork beta launches', `researcher@${idB}`],
    ['How many days until that date?', `calculator@${idA}`]
  ])
  expect(until.result?.text).toBe(`${days} days`)
  // The same count as one part of a request with another: it becomes the lookup and the count, and
  // the mission's answer names each answer by what it answers. Before, the count was one part that
  // nobody could do, and the answer read "s1: 12\ns2: ...".
  const bothId = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'What is 15% of 80 and how many days until the Meshwork beta launches?', timeZone: 'UTC' }))
  const both = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 45_000 }), bothId)
  expect(both.state, JSON.stringify(both)).toBe('completed')
  expect(both.mission!.subtasks).toHaveLength(3)
  expect(both.result?.text).toBe(`What is 15% of 80? 12\nFind when the Meshwork beta launches, then how many days until that date? ${days} days`)
  // The weekday of a date the request names is the calculator's, though the graph holds a fact about that date.
  const dayId = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'What day of the week is March 3, 2027?' }))
  const weekday = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), dayId)
  expect(weekday, JSON.stringify(weekday)).toMatchObject({ state: 'completed', agentId: `calculator@${idA}`, skillId: 'math.dates-interest' })
  expect(weekday.result?.text).toMatch(/^Wednesday: 3 March 2027 (?:is|was) a Wednesday$/)
  // Arithmetic on times of day, told as a story: the calculator's by its bid rule (before, nobody bid),
  // and the verifier on the third tab derives it again (before, it abstained: "not arithmetic").
  const trainId = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'If a train leaves at 9:40 and the trip takes 2 hours 35 minutes, when does it arrive?' }))
  const train = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), trainId)
  expect(train, JSON.stringify(train)).toMatchObject({ state: 'completed', agentId: `calculator@${idA}`, skillId: 'math.dates-interest', result: { text: '12:15 (2 hours 35 minutes after 9:40)', output: '12:15' } })
  await expect.poll(() => b.evaluate(t => window.meshwork.tasks.get(t)?.verification, trainId), { timeout: 20_000 }).toMatchObject({ status: 'verified', supporters: [idC] })
  // A time in another zone: the calculator's by its bid rule (before, nobody bid), and the verifier
  // on the third tab calculates the same time again.
  const zoneId = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'What time is 9am in London in Tokyo?' }))
  const zone = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), zoneId)
  expect(zone, JSON.stringify(zone)).toMatchObject({ state: 'completed', agentId: `calculator@${idA}`, skillId: 'math.dates-interest', result: { output: expect.stringMatching(/^1[78]:00$/) } })
  expect(zone.result?.text).toMatch(/^(?:5|6):00 pm in Tokyo \(\w+day \d{1,2} \w+\) when it is 9:00 am in London; Tokyo is (?:8|9) hours ahead of London$/)
  await expect.poll(() => b.evaluate(t => window.meshwork.tasks.get(t)?.verification, zoneId), { timeout: 20_000 }).toMatchObject({ status: 'verified', supporters: [idC] })
  // Money into another currency with no rate in the request: the calculator converts at the rate the
  // room's graph states and cites it; the verifier on the third tab re-computes it at that rate and
  // supports it. Before, the calculator failed ("needs an exchange rate") and a verifier disputed even a
  // rate given in the request (it read the request as "100"). "How much is $40 in yen?" is the
  // calculator's too, not the researcher's, who quoted the rate instead of converting.
  const rateId = await b.evaluate(() => window.meshwork.graph.add({ kind: 'fact', text: '1 EUR = 1.08 USD', confidence: 0.9 }))
  await b.evaluate(() => window.meshwork.graph.add({ kind: 'fact', text: 'The dollar is at 150 yen.', confidence: 0.9 }))
  await expect.poll(() => a.evaluate(() => window.meshwork.graph.list({ kind: 'fact' }).filter(f => /EUR|yen/.test(f.text)).length), { timeout: 15_000 }).toBe(2)
  const moneyId = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'Convert 100 euros to dollars', verify: 1 }))
  const money = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 30_000 }), moneyId)
  expect(money, JSON.stringify(money)).toMatchObject({ state: 'completed', agentId: `calculator@${idA}`, skillId: 'math.convert-units', result: { output: 108, citations: [rateId] } })
  expect(money.result?.text).toMatch(/^€100\.00 = \$108\.00 \(at 1 EUR = 1\.08 USD, the graph's proposed fact of \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/)
  await expect.poll(() => c.evaluate(t => window.meshwork.tasks.get(t)?.verification, moneyId), { timeout: 20_000 }).toMatchObject({ status: 'verified', supporters: [await peerIdOf(c)] })
  const yenId = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'How much is $40 in yen?' }))
  const yen = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), yenId)
  expect(yen, JSON.stringify(yen)).toMatchObject({ state: 'completed', agentId: `calculator@${idA}`, result: { output: 6000 } })
  // A script's result: the verifier on C runs the code again in a js-runner sub-agent of its own (its
  // worker's ctx.spawn) and supports the same value. Before, every verifier abstained on it.
  const runner = await b.evaluate(async () => await window.meshwork.agents.register({ kind: 'js-runner' }))
  await expect.poll(() => a.evaluate(r => window.meshwork.agents.list().some(x => x.agentId === r && x.online), runner), { timeout: 15_000 }).toBe(true)
  const codeId = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Run this JavaScript: return [1, 2, 3].map(x => x * 2)' }))
  const code = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), codeId)
  expect(code, JSON.stringify(code)).toMatchObject({ state: 'completed', agentId: runner, result: { text: '[2,4,6]' } })
  await expect.poll(() => a.evaluate(t => window.meshwork.tasks.get(t)?.verification, codeId), { timeout: 20_000 }).toMatchObject({ status: 'verified', supporters: [idC] })
  await b.evaluate(async r => { await window.meshwork.agents.unregister(r) }, runner)
})

test('a statement the person tells the room (asked to remember it, told plainly, told before a question, or decided) is recorded in the graph, and the researcher answers from it', async () => {
  const idB = await peerIdOf(b)
  // Before, nobody bid: a statement was no agent's task, and it ended unassigned.
  const id = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Remember that the staging relay listens on port 7443' }))
  const told = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), id)
  expect(told, JSON.stringify(told)).toMatchObject({ state: 'completed', agentId: `researcher@${idB}`, skillId: 'graph.record', result: { text: 'The staging relay listens on port 7443.', output: { graph: 'new' } } })
  // Nothing in the graph speaks for or against it: it stays a hypothesis, and the researcher's tab holds it.
  await expect.poll(() => a.evaluate(t => window.meshwork.tasks.get(t)?.verification?.status, id), { timeout: 20_000 }).toBe('unverified')
  await expect.poll(() => b.evaluate(() => window.meshwork.graph.list({ kind: 'hypothesis' }).some(e => e.text === 'The staging relay listens on port 7443.')), { timeout: 15_000 }).toBe(true)
  const q = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'Which port does the staging relay listen on?' }))
  const answer = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), q)
  expect(answer, JSON.stringify(answer)).toMatchObject({ state: 'completed', agentId: `researcher@${idB}`, skillId: 'graph.answer' })
  expect(answer.result?.text).toMatch(/the staging relay listens on port 7443 \[[^\]]+\] \(a hypothesis\)/)
  // Told plainly, without "remember": recorded all the same (before, nobody bid and it ended unassigned).
  const plain = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'The office wifi password is tulip-42' }))
  const kept = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), plain)
  expect(kept, JSON.stringify(kept)).toMatchObject({ state: 'completed', agentId: `researcher@${idB}`, skillId: 'graph.record', result: { text: 'The office wifi password is tulip-42.' } })
  await expect.poll(() => c.evaluate(() => window.meshwork.graph.list({ kind: 'hypothesis' }).some(e => e.text === 'The office wifi password is tulip-42.')), { timeout: 15_000 }).toBe(true)
  const asked = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'What is the office wifi password?' }))
  const said = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), asked)
  expect(said, JSON.stringify(said)).toMatchObject({ state: 'completed', skillId: 'graph.answer' })
  expect(said.result?.text).toMatch(/the office wifi password is tulip-42 \[[^\]]+\] \(a hypothesis\)/)
  // Told before a question: answered by the person's word, and kept for the next question (before,
  // the answer was bookkeeping, and nobody bid on the next one).
  const first = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'The standup is at 9:30 every weekday. When is the standup?' }))
  const byWord = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), first)
  expect(byWord, JSON.stringify(byWord)).toMatchObject({ state: 'completed', skillId: 'graph.answer', result: { text: 'The graph has nothing on this yet. Going by what you say: The standup is at 9:30 every weekday.' } })
  await expect.poll(() => c.evaluate(() => window.meshwork.graph.list({ kind: 'hypothesis' }).some(e => e.title === 'Result: The standup is at 9:30 every weekday. When is the standup?')), { timeout: 15_000 }).toBe(true)
  const next = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'When is the standup?' }))
  const kept2 = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), next)
  expect(kept2, JSON.stringify(kept2)).toMatchObject({ state: 'completed', skillId: 'graph.answer' })
  expect(kept2.result?.text).toMatch(/^According to the graph, the standup is at 9:30 every weekday \[[^\]]+\] \(a hypothesis\)/)
  // Told later that it moved: the answer goes by the later statement and names the earlier as replaced
  // (before, both were quoted as equals).
  const moved = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'The standup moved to 10:15.' }))
  expect(await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), moved)).toMatchObject({ state: 'completed', skillId: 'graph.record' })
  await expect.poll(() => b.evaluate(() => window.meshwork.graph.list({ kind: 'hypothesis' }).some(e => e.text === 'The standup moved to 10:15.')), { timeout: 15_000 }).toBe(true)
  const now = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'When is the standup?' }))
  const latest = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), now)
  expect(latest, JSON.stringify(latest)).toMatchObject({ state: 'completed', skillId: 'graph.answer', result: { output: { replaced: [{ id: expect.any(String), by: expect.any(String) }] } } })
  expect(latest.result?.text).toMatch(/^According to the graph, the standup moved to 10:15 \[[^\]]+\] \(a hypothesis\)\. That replaces what was said before: the standup is at 9:30 every weekday \[[^\]]+\]/)
  // A decision: the task records the statement, and the person's tab sends it as their decision, which
  // the graph keeps as a decision entity (before, it was only a hypothesis "Decision: ...").
  const decided = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Decision: we will use WebRTC for all peer links.' }))
  expect(await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), decided)).toMatchObject({ state: 'completed', skillId: 'graph.record', result: { text: 'Decision: we will use WebRTC for all peer links.' } })
  const idA = await peerIdOf(a)
  await expect.poll(() => b.evaluate(() => window.meshwork.graph.list({ kind: 'decision' }).map(e => ({ text: e.text, about: e.data?.about, peerId: e.data?.peerId }))), { timeout: 15_000 })
    .toEqual([{ text: 'We will use WebRTC for all peer links.', about: decided, peerId: idA }])
  const why = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'What did we decide about peer links?' }))
  const answered = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), why)
  expect(answered, JSON.stringify(answered)).toMatchObject({ state: 'completed', skillId: 'graph.answer' })
  expect(answered.result?.text).toMatch(/^According to the graph, the room decided: we will use WebRTC for all peer links \[decision:[^\]]+\]\.$/)
  // Quoted as it stands, a decision needs no verifying: the verifier on C supports the answer.
  await expect.poll(() => a.evaluate(t => window.meshwork.tasks.get(t)?.verification, why), { timeout: 20_000 }).toMatchObject({ status: 'verified', supporters: [await peerIdOf(c)] })
  // Asked for a list of what the room decided: the researcher lists the decisions with their ids (before,
  // its search said the graph held "nothing relevant" to "List the decisions we made").
  const list = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'List the decisions we made' }))
  const listed = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), list)
  expect(listed, JSON.stringify(listed)).toMatchObject({ state: 'completed', skillId: 'graph.lookup', result: { output: { listing: { kinds: ['decision'], count: 1 } } } })
  expect(listed.result?.text).toMatch(/^The graph holds 1 decision, newest first:\n1\. The room decided: we will use WebRTC for all peer links \[decision:[^\]]+\]\.$/)
  await expect.poll(() => b.evaluate(t => window.meshwork.tasks.get(t)?.verification?.status, list), { timeout: 20_000 }).toBe('verified')
  // Before, nobody bid on this.
  const open = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'What questions are still open?' }))
  const opened = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), open)
  expect(opened, JSON.stringify(opened)).toMatchObject({ state: 'completed', skillId: 'graph.lookup', result: { output: { listing: { kinds: ['question'], open: true } } } })
  // A question the person asks the room to keep open: the asking tab records it as an open question,
  // which every tab then holds (before, it was looked up, "nothing relevant", and no trace was kept).
  const kept3 = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'Question: who maintains the staging relay?' }))
  const keptOpen = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), kept3)
  expect(keptOpen, JSON.stringify(keptOpen)).toMatchObject({ state: 'completed', skillId: 'graph.lookup', result: { output: { openQuestion: 'Who maintains the staging relay?' } } })
  expect(keptOpen.result?.text).toMatch(/^Recorded as an open question for the room: "Who maintains the staging relay\?"/)
  const idC = await peerIdOf(c)
  await expect.poll(() => a.evaluate(() => window.meshwork.graph.list({ kind: 'question' }).map(e => ({ text: e.text, peerId: e.data?.peerId, taskId: e.data?.taskId }))), { timeout: 15_000 })
    .toContainEqual({ text: 'Who maintains the staging relay?', peerId: idC, taskId: kept3 })
  // Asked plainly later, it is the open question (before, nobody bid on it).
  const plainQ = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Who maintains the staging relay?' }))
  const isOpen = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), plainQ)
  expect(isOpen, JSON.stringify(isOpen)).toMatchObject({ state: 'completed', agentId: expect.stringMatching(/^researcher@/) })
  expect(isOpen.result?.text).toMatch(/it records the question as open: Who maintains the staging relay\? \[question:[^\]]+\]$/)
  // Decided later: the listing keeps it open (nothing links the two) and names the decision that may settle it.
  const settles = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'Decision: Dana maintains the staging relay.' }))
  expect(await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), settles)).toMatchObject({ state: 'completed', skillId: 'graph.record' })
  await expect.poll(() => a.evaluate(() => window.meshwork.graph.list({ kind: 'decision' }).some(e => e.text === 'Dana maintains the staging relay.')), { timeout: 15_000 }).toBe(true)
  const open2 = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'What questions are still open?' }))
  const opened2 = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), open2)
  expect(opened2.result?.text).toMatch(/Who maintains the staging relay\? \[question:[^\]]+\] \(open; perhaps settled by \[decision:[^\]]+\]: the room decided: Dana maintains the staging relay\)\./)
})

test('a statement that says the opposite of one the graph holds raises a conflict every tab sees, and answers name it', async () => {
  const held = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Hypothesis: the login bug is caused by the cache TTL.' }))
  expect(await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), held)).toMatchObject({ state: 'completed', skillId: 'graph.record', result: { output: { graph: 'new', stated: 'hypothesis' } } })
  // Recorded in the graph (records are written in batches, a few seconds after the fact), and synced to C.
  await expect.poll(() => c.evaluate(t => window.meshwork.graph.list({ kind: 'hypothesis' }).find(e => e.data?.taskId === t)?.text, held), { timeout: 20_000 }).toBe('The login bug is caused by the cache TTL.')
  const heldId = await c.evaluate(t => window.meshwork.graph.list({ kind: 'hypothesis' }).find(e => e.data?.taskId === t)?.id, held)
  expect(heldId).toMatch(/^result:/)
  // Before, this was recorded as news beside it: verifiers let two proposals stand, and nothing told the room they disagree.
  const flip = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'Fact: the login bug is not caused by the cache TTL.' }))
  const flipped = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), flip)
  expect(flipped, JSON.stringify(flipped)).toMatchObject({ state: 'completed', skillId: 'graph.record', result: { output: { graph: 'conflicts', with: heldId }, contradicts: [heldId] } })
  // Every tab holds one conflict between the two, and the flip contradicts the statement it flips.
  await expect.poll(() => b.evaluate(([t, h]) => {
    const g = window.meshwork.graph
    const conflict = g.list({ kind: 'conflict' }).find(e => e.data?.taskId === t)
    const flipId = g.list({ kind: 'hypothesis' }).find(e => e.data?.taskId === t)?.id
    if (conflict === undefined || flipId === undefined) return undefined
    return {
      tags: conflict.tags, statements: conflict.data?.statements,
      about: g.graph!.neighbours(conflict.id, { type: 'about', direction: 'out' }).map(n => n.edge.to).sort(),
      contradicts: g.graph!.neighbours(flipId, { type: 'contradicts', direction: 'out' }).map(n => n.edge.to),
      text: conflict.text, flip: flipId
    }
  }, [flip, heldId!] as const), { timeout: 15_000 }).toMatchObject({ tags: ['statements'], contradicts: [heldId], text: expect.stringMatching(/^Conflicting statements: "The login bug is not caused by the cache TTL\." \[result:[^\]]+\] says the opposite of "The login bug is caused by the cache TTL\." \[result:/) })
  const conflictId = await b.evaluate(t => window.meshwork.graph.list({ kind: 'conflict' }).find(e => e.data?.taskId === t)?.id, flip)
  // Asked about it, the researcher quotes both and says the room has not settled it.
  await expectOpenConflictNamed(b, 'What causes the login bug?', conflictId!)
  // The explorer shows the conflict with the two statements, each a link.
  await a.getByTestId('graph-tab').click()
  await a.getByTestId('graph-filter-text').fill('Conflicting statements')
  await a.getByTestId('graph-item').filter({ hasText: 'login bug' }).first().click({ timeout: 15_000 })
  await expect(a.getByTestId('graph-conflict')).toContainText('These statements say opposite things')
  await expect(a.getByTestId('graph-conflict').locator('li')).toHaveCount(2)
  await expect(a.getByTestId('graph-conflict')).toContainText(`${heldId}: The login bug is caused by the cache TTL.`)
  await a.getByTestId('graph-detail').screenshot({ path: test.info().outputPath('graph-statement-conflict.png') })
  await a.getByTestId('tasks-tab').click()
})

test('a decision that takes one side settles the conflict on every tab: answers go by it, and the explorer shows it settled', async () => {
  // The conflict the previous test raised, between "... is caused by ..." and "... is not caused by ...".
  const conflictId = await a.evaluate(() => window.meshwork.graph.list({ kind: 'conflict' }).find(e => e.text.startsWith('Conflicting statements: "The login bug is not caused'))?.id)
  expect(conflictId).toMatch(/^dispute:/)
  // The person takes a side in the explorer: "This holds" sends "Decision: <the statement>" as a task.
  await a.getByTestId('graph-tab').click()
  await a.getByTestId('graph-filter-text').fill('Conflicting statements')
  await a.getByTestId('graph-item').filter({ hasText: 'login bug is not caused' }).first().click({ timeout: 15_000 })
  await expect(a.getByTestId('graph-conflict-holds')).toHaveCount(2)
  await a.getByTestId('graph-conflict').locator('li').filter({ hasText: 'The login bug is caused by the cache TTL.' }).getByTestId('graph-conflict-holds').click()
  await expect(a.getByTestId('graph-conflict-sent')).toContainText('Decision sent for')
  const decide = (await a.getByTestId('graph-conflict-sent').locator('button').textContent())!.trim()
  expect(await a.evaluate(t => window.meshwork.tasks.get(t)?.text, decide)).toBe('Decision: the login bug is caused by the cache TTL.')
  const decided = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), decide)
  // Before, this raised a second conflict, against the side it took the other's of, and the first stayed open.
  expect(decided, JSON.stringify(decided)).toMatchObject({ state: 'completed', skillId: 'graph.record', result: { output: { graph: 'settles', with: conflictId }, settles: expect.arrayContaining([conflictId]) } })
  expect(decided.result?.contradicts).toBeUndefined()
  // On another tab: the conflict is answered by the decision, which contradicts the side it overrules, and no new conflict.
  await expect.poll(() => c.evaluate(([t, id]) => {
    const g = window.meshwork.graph
    const rid = g.list({ kind: 'hypothesis' }).find(e => e.data?.taskId === t)?.id
    if (rid === undefined) return undefined
    return {
      settledBy: g.get(id)?.data?.settledBy,
      answers: g.graph!.neighbours(rid, { type: 'answers', direction: 'out' }).map(n => n.edge.to).includes(id),
      overrules: g.graph!.neighbours(rid, { type: 'contradicts', direction: 'out' }).map(n => g.get(n.edge.to)?.text),
      raised: g.list({ kind: 'conflict' }).some(e => e.data?.taskId === t),
      rid
    }
  }, [decide, conflictId!] as const), { timeout: 20_000 }).toMatchObject({ settledBy: [expect.stringMatching(/^result:/)], answers: true, overrules: ['The login bug is not caused by the cache TTL.'], raised: false })
  // The tab that decided shows it settled too, with no side left to take.
  await expect(a.getByTestId('graph-conflict-settled')).toBeVisible({ timeout: 15_000 })
  await expect(a.getByTestId('graph-conflict-holds')).toHaveCount(0)
  await a.getByTestId('tasks-tab').click()
  // Asked again on the third tab: answered by the decision, the conflict named as settled.
  const ask = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'Is the login bug caused by the cache TTL?' }))
  const said = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), ask)
  expect(said, JSON.stringify(said)).toMatchObject({ state: 'completed', skillId: 'graph.answer', result: { output: { yes: true, settled: [{ id: conflictId }] } } })
  expect(said.result?.text).toMatch(/^Yes: according to the graph, the room decided: the login bug is caused by the cache TTL \[/)
  expect(said.result?.text).toContain(`settled it (conflict [${conflictId}]).`)
  // "What conflicts are open?" no longer lists it.
  const open = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'What conflicts are open?' }))
  const listed = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), open)
  expect(listed.result?.output).toMatchObject({ listing: { kinds: ['conflict'], open: true } })
  expect((listed.result?.output as { listing: { ids: string[] } }).listing.ids).not.toContain(conflictId)
  // The explorer shows it settled, with the decision linked.
  await b.getByTestId('graph-tab').click()
  await b.getByTestId('graph-filter-text').fill('Conflicting statements')
  await b.getByTestId('graph-item').filter({ hasText: 'login bug is not caused' }).first().click({ timeout: 15_000 })
  await expect(b.getByTestId('graph-conflict-settled')).toContainText('Decision: the login bug is caused by the cache TTL.', { timeout: 15_000 })
  await expect(b.getByTestId('graph-conflict')).toContainText('Settled by the room\'s decision')
  await b.getByTestId('graph-detail').screenshot({ path: test.info().outputPath('graph-conflict-settled.png') })
  await b.getByTestId('tasks-tab').click()
})

test('a computation with a value the room stated: the calculator takes it from the graph, cites it, and another tab computes it again', async () => {
  const told = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'The Q1 budget is $48,000.' }))
  expect(await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), told)).toMatchObject({ state: 'completed', skillId: 'graph.record' })
  const moment = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'The client demo is on 3 November 2027 at 3pm London time.' }))
  expect(await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), moment)).toMatchObject({ state: 'completed', skillId: 'graph.record' })
  for (const p of [a, b, c]) {
    await expect.poll(() => p.evaluate(() => ['The Q1 budget is $48,000.', 'The client demo is on 3 November 2027 at 3pm London time.'].every(t => window.meshwork.graph.list({ kind: 'hypothesis' }).some(e => e.text === t))), { timeout: 15_000 }).toBe(true)
  }
  // Before, the researcher won this and quoted the budget: nothing was computed.
  const q = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'How much of the Q1 budget is left if we spend $12,500?' }))
  const left = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), q)
  expect(left, JSON.stringify(left)).toMatchObject({ state: 'completed', skillId: 'math.evaluate', result: { text: '$35,500.00, with the Q1 budget at $48,000, as the graph states (not yet verified)', output: 35500 } })
  expect(left.agentId).toMatch(/^calculator@/)
  // The verifier on the third tab computes it again from its own copy of the graph.
  await expect.poll(() => b.evaluate(t => window.meshwork.tasks.get(t)?.verification, q), { timeout: 20_000 }).toMatchObject({ status: 'verified', supporters: [await peerIdOf(c)] })
  // The result is recorded as derived from the statement it used.
  await expect.poll(() => a.evaluate(() => {
    const g = window.meshwork.graph
    const told = g.list({ kind: 'hypothesis' }).find(e => e.text === 'The Q1 budget is $48,000.')
    return told === undefined ? [] : g.graph!.neighbours(told.id, { type: 'derived-from', direction: 'in' }).map(n => g.get(n.edge.from)?.text)
  }), { timeout: 15_000 }).toContainEqual(expect.stringContaining('$35,500.00, with the Q1 budget at $48,000'))
  // A moment the room stated, in another zone on its own date: on 3 November 2027 London is on GMT,
  // New York still on summer time (4 hours apart; 5 on most days of the year).
  const zq = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'What time is the client demo in New York?' }))
  const zone = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), zq)
  expect(zone, JSON.stringify(zone)).toMatchObject({ state: 'completed', skillId: 'math.dates-interest', result: { output: '11:00' } })
  expect(zone.result?.text).toMatch(/^11:00 am in New York \(Wednesday 3 November\) when it is 3:00 pm in London; New York is 4 hours behind London, with the client demo at 3pm London time on 3 November 2027, as the graph states \(not yet verified\)$/)
  // A date the room stated without a time: the calculator reads it at once. Before, the planner looked
  // the date up first, the lookup quoted another date the graph held, and the weekday failed between two.
  const dated = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'The product launch is on 3 March 2027.' }))
  expect(await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), dated)).toMatchObject({ state: 'completed', skillId: 'graph.record' })
  for (const p of [a, b, c]) {
    await expect.poll(() => p.evaluate(() => window.meshwork.graph.list({ kind: 'hypothesis' }).some(e => e.text === 'The product launch is on 3 March 2027.')), { timeout: 15_000 }).toBe(true)
  }
  const wq = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'What day of the week is the product launch?' }))
  const weekday = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), wq)
  expect(weekday, JSON.stringify(weekday)).toMatchObject({ state: 'completed', skillId: 'math.dates-interest', result: { text: 'Wednesday: 3 March 2027 is a Wednesday, with the product launch on 3 March 2027, as the graph states (not yet verified)' } })
  expect(weekday.agentId).toMatch(/^calculator@/)
})

test('a check written "Check: <claim>" goes to the verifier, which computes it again', async () => {
  // Judged on its instruction, the bare "Check": before, nobody bid and it ended unassigned.
  const id = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Check: 17 times 23 is 391' }))
  const done = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), id)
  expect(done, JSON.stringify(done)).toMatchObject({ state: 'completed', skillId: 'claim.verify', result: { text: 'Supported (confidence 0.99): re-computed: 17 times 23 = 391, as claimed' } })
  expect(done.agentId).toMatch(/^verifier@/)
})

test('a rate told before its question, and a share asked in words, are the calculator\'s and verified on another tab', async () => {
  // Before: the researcher won the first ("nothing relevant", and the verifier disputed it), and
  // nobody bid on the second (unassigned).
  const rate = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Our API handles 1,200 requests per second. How many requests is that per day?' }))
  const share = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'If 3 out of 40 requests failed, what is the failure rate as a percentage?' }))
  for (const [page, id, text] of [[a, rate, '103,680,000 requests a day'], [b, share, '7.5%']] as const) {
    const done = await page.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), id)
    expect(done, JSON.stringify(done)).toMatchObject({ state: 'completed', result: { text } })
    expect(done.agentId).toMatch(/^calculator@/)
    await expect.poll(async () => (await page.evaluate(t => window.meshwork.tasks.get(t), id))?.verification?.status, { timeout: 15_000 }).toBe('verified')
  }
})

test('a task nobody can do ends unassigned, with the reason', async () => {
  const id = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'Repaint my garden fence in dark green before the weekend' }))
  const done = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 15_000 }), id)
  expect(done.state).toBe('unassigned')
  expect(done.reason).toMatch(/no capable agent/)
  // A question about what the room decided, on which the graph holds nothing: the researcher says so
  // (before, nobody bid and it ended unassigned).
  const q = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'What was decided about the garden fence colour?' }))
  const none = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 15_000 }), q)
  expect(none, JSON.stringify(none)).toMatchObject({ state: 'completed', skillId: 'graph.answer', result: { text: 'The knowledge graph has nothing relevant to "What was decided about the garden fence colour?", so I cannot answer it from what the room knows.' } })
})

// Writes its sum out, and gets it wrong: what verification on another peer is there to catch.
const palletCounter = customManifest('pallet-counter', {
  id: 'pallets',
  name: 'Count pallets for a shipment',
  description: 'Works out how many pallets a shipment needs from its crates.',
  tags: ['logistics'],
  examples: ['count the pallets for the spring shipment', 'how many pallets does the shipment need', 'work out the pallets for the order']
})
// A wrong sum for the spring shipment (disputed), a right one for the autumn shipment (nothing else in it can be checked).
const palletCounterSource = 'export default async task => ({ text: /autumn/i.test(task.text) ? "Pallets needed for the autumn shipment: 12 * 6 = 72" : "Pallets needed for the spring shipment: 14 * 6 = 86" })'

test('a result a verifier on another tab disputes is marked disputed on every tab, raises a conflict in the graph, and counts against its agent; one it cannot judge ends unverified, saying why', async () => {
  const [idB, idC] = [await peerIdOf(b), await peerIdOf(c)]
  const agentId = await b.evaluate(async m => await window.meshwork.agents.register({ manifest: m.manifest, source: m.source }), { manifest: palletCounter, source: palletCounterSource })
  await registriesHave([a, b, c], 6)
  // Submitted without `verify`: a verifier runs on another tab (C), so the mesh's default asks for one.
  const id = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Count the pallets for the spring shipment' }))
  disputedTask = id
  const done = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), id)
  expect(done, JSON.stringify(done)).toMatchObject({ state: 'completed', agentId, peerId: idB })
  // C's verifier re-computes the sum in the answer and disputes it; every tab comes to the same verdict.
  const reason = 're-computed the arithmetic in it: 14 * 6 = 84, not 86'
  for (const p of [a, b, c]) {
    await expect.poll(() => p.evaluate(t => window.meshwork.tasks.get(t)?.verification, id), { timeout: 20_000 })
      .toMatchObject({ status: 'disputed', supporters: [], disputes: [{ peerId: idC, agentId: `verifier@${idC}`, reason }] })
  }
  // The graph, on A: the result hypothesis is disputed by C with the reason; a conflict contradicts it
  // and is about the task's thread; no verified fact was made of it.
  await expect.poll(() => a.evaluate(t => {
    const g = window.meshwork.graph
    const result = g.list({ kind: 'hypothesis' }).find(e => e.id.startsWith(`result:${t}:`))
    const conflict = g.list({ kind: 'conflict' }).find(e => e.data?.taskId === t)
    const out = conflict === undefined ? [] : g.graph!.neighbours(conflict.id, { direction: 'out' }).map(n => `${n.edge.type} ${n.edge.to === result?.id ? 'result' : n.edge.to}`).sort()
    return {
      status: result?.status,
      disputedBy: result?.disputedBy.map(d => [d.peerId, d.reason]),
      conflict: conflict?.text.includes('14 * 6 = 84, not 86'),
      edges: out,
      facts: g.list({ kind: 'fact' }).filter(e => e.data?.taskId === t).length
    }
  }, id), { timeout: 15_000 }).toEqual({ status: 'disputed', disputedBy: [[idC, reason]], conflict: true, edges: [`about task:${id}`, 'contradicts result'], facts: 0 })
  // The dispute counts against the agent's record for the skill, which B wrote to the graph.
  await expect.poll(() => c.evaluate(x => {
    const fact = window.meshwork.graph.list({ kind: 'fact' }).find(e => e.tags?.includes('reputation') === true && e.data?.agentId === x)
    const r = (fact?.data?.skills as Record<string, { successes: number, disputed: number, verified: number }> | undefined)?.pallets
    return r === undefined ? undefined : { successes: r.successes, verified: r.verified, disputed: r.disputed }
  }, agentId), { timeout: 15_000 }).toEqual({ successes: 1, verified: 0, disputed: 1 })
  // The person at C sees it in the task's result: disputed, by whom and why.
  await c.getByTestId('tasks-tab').click()
  await c.locator(`[data-testid=task-item][data-task-id="${id}"] button.pick`).click()
  const card = c.getByTestId('task-verification')
  await expect(card).toHaveAttribute('data-status', 'disputed', { timeout: 10_000 })
  await expect(card).toContainText(`verifier on`)
  await expect(card).toContainText(reason)
  // A right sum and nothing else C's verifier can check: it abstains, and as C was the only verifier
  // on a tab other than B's, no verdict is to come: the result is unverified on every tab, not pending.
  const second = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Count the pallets for the autumn shipment' }))
  expect(await a.evaluate(async t => (await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 })).result?.text, second)).toBe('Pallets needed for the autumn shipment: 12 * 6 = 72')
  const unverified = { status: 'unverified', reason: 'every verifier on another present peer has voted and the quorum of 1 was not reached (1 abstained)', supporters: [], disputes: [] }
  for (const p of [a, b, c]) {
    await expect.poll(() => p.evaluate(t => window.meshwork.tasks.get(t)?.verification, second), { timeout: 20_000 }).toMatchObject(unverified)
  }
  const abstained = await a.evaluate(t => window.meshwork.tasks.get(t)?.verification?.abstained, second)
  expect(abstained?.map(x => x.peerId)).toEqual([idC])
  expect(abstained?.[0]?.reason).toContain('its arithmetic checks out (12 * 6 = 72)')
  // The graph keeps the result as a hypothesis and says on the thread why it is not verified.
  await expect.poll(() => a.evaluate(t => {
    const g = window.meshwork.graph
    const thread = g.get(`task:${t}`)
    return {
      result: g.list({ kind: 'hypothesis' }).find(e => e.id.startsWith(`result:${t}:`))?.status,
      verification: (thread?.data?.verification as { status?: string } | undefined)?.status,
      line: thread?.messages?.some(m => m.text.includes('Not verified: ')) ?? false,
      facts: g.list({ kind: 'fact' }).filter(e => e.data?.taskId === t).length
    }
  }, second), { timeout: 15_000 }).toEqual({ result: 'proposed', verification: 'unverified', line: true, facts: 0 })
  // Neither verified nor disputed: the agent's record counts the success only.
  await expect.poll(() => c.evaluate(x => {
    const fact = window.meshwork.graph.list({ kind: 'fact' }).find(e => e.tags?.includes('reputation') === true && e.data?.agentId === x)
    const r = (fact?.data?.skills as Record<string, { successes: number, disputed: number, verified: number }> | undefined)?.pallets
    return r === undefined ? undefined : { successes: r.successes, verified: r.verified, disputed: r.disputed }
  }, agentId), { timeout: 15_000 }).toEqual({ successes: 2, verified: 0, disputed: 1 })
  await c.locator(`[data-testid=task-item][data-task-id="${second}"] button.pick`).click()
  await expect(card).toHaveAttribute('data-status', 'unverified', { timeout: 10_000 })
  await expect(c.getByTestId('task-verification-reason')).toHaveText(`Not verified: ${unverified.reason}. A later verdict still counts.`)
  await c.screenshot({ path: 'test-results/task-unverified.png', fullPage: true })
  await c.getByRole('button', { name: 'Mesh', exact: true }).click()
  // Leave the room's registry as the later tests expect it.
  await b.evaluate(async x => { await window.meshwork.agents.unregister(x) }, agentId)
  await registriesHave([a, b, c], 5)
})

const slowEcho = {
  manifestVersion: 1,
  id: 'slow-echo',
  name: 'Slow echo',
  description: 'Echoes a word back, slowly.',
  version: '1.0.0',
  skills: [{ id: 'echo', name: 'Echo a word slowly', description: 'Repeats the given word back after thinking about it for a while.', tags: ['echo'], examples: ['slowly echo banana', 'echo the word apple back to me slowly', 'repeat cherry slowly'], level: 'expert' }],
  limits: { timeoutMs: 20000 }
}
const slowEchoSource = 'export default async (task, ctx) => { for (let i = 1; i <= 30; i++) { await new Promise(r => setTimeout(r, 100)); ctx.progress(i / 30) } return { text: "echo: " + task.text.split(" ").pop() } }'

/**
 * Two more tabs in a context of their own, each running the slow echo agent, meshed with A, B, C
 * (and `others`) and known to every registry: the holder and the stand-in of the recovery tests.
 */
async function slowEchoTabs (browser: Browser, others: Page[] = []): Promise<{ ctxD: BrowserContext, d: Page, e: Page, idD: string, idE: string }> {
  const ctxD = await browser.newContext()
  const d = await openRoomTab(ctxD, 'none')
  const e = await openRoomTab(ctxD, 'none')
  await expectFullMesh([a, b, c, d, e, ...others])
  for (const p of [d, e]) await p.evaluate(async m => { await window.meshwork.agents.register({ manifest: m.manifest, source: m.source }) }, { manifest: slowEcho, source: slowEchoSource })
  await registriesHave([a, b, c, d, e, ...others], 7)
  return { ctxD, d, e, idD: await peerIdOf(d), idE: await peerIdOf(e) }
}

test('a task whose agent\'s tab is closed mid-run is reassigned and completes on another tab', async ({ browser }) => {
  const { ctxD, d, e, idD, idE } = await slowEchoTabs(browser)
  const id = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'slowly echo banana' }))
  await expect.poll(() => c.evaluate(t => window.meshwork.tasks.get(t)?.state, id), { timeout: 10_000 }).toBe('working')
  const first = await c.evaluate(t => window.meshwork.tasks.get(t)!, id)
  expect([idD, idE]).toContain(first.peerId)
  const [holder, other, otherId] = first.peerId === idD ? [d, e, idE] : [e, d, idD]
  // Let it run a little, then the holder's tab goes away (a crash: no goodbye).
  await expect.poll(() => c.evaluate(t => window.meshwork.tasks.get(t)?.progress?.fraction ?? 0, id), { timeout: 10_000 }).toBeGreaterThan(0.1)
  const lostAt = Date.now()
  const cdp = await holder.context().newCDPSession(holder)
  void cdp.send('Page.crash').catch(() => {}) // never resolves: the page is gone
  const done = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 30_000 }), id)
  const recoveredMs = Date.now() - lostAt
  console.log(`recovery: re-awarded and completed ${recoveredMs} ms after the crash (task takes ~3 s itself)`)
  expect(done.state, JSON.stringify({ reason: done.reason, attempts: done.attempts })).toBe('completed')
  expect(done).toMatchObject({ state: 'completed', peerId: otherId, agentId: `slow-echo@${otherId}` })
  expect(done.result?.text).toBe('echo: banana')
  expect(done.attempts).toHaveLength(2)
  expect(done.attempts[0]).toMatchObject({ peerId: first.peerId })
  // Completed once: one result in the graph is the completed attempt's; the lost attempt left none.
  await expect.poll(() => a.evaluate(t => window.meshwork.graph.list({ kind: 'hypothesis' }).filter(x => x.id.startsWith(`result:${t}:`)).map(x => x.id), id), { timeout: 15_000 }).toEqual([`result:${id}:2`])
  await other.close()
  await ctxD.close()
})

test('a tab opened after a task ended lists it from the graph, and still does after a reload', async ({ browser }) => {
  expect(firstTask).not.toBe('')
  expect(missionTask).not.toBe('')
  // A member of the room rewrites the mission's recorded answer (its solution entity is not signed).
  const rewritten = await b.evaluate(t => {
    const sol = window.meshwork.graph.list({ kind: 'solution' }).find(e => e.taskId === t)
    if (sol === undefined) return undefined
    window.meshwork.graph.graph!.update(sol.id, { text: 'The answer is 42.', data: { ...sol.data, text: 'The answer is 42.', output: { s1: 42 } } })
    return sol.id
  }, missionTask)
  expect(rewritten).toBeDefined()
  await expect.poll(() => a.evaluate(id => window.meshwork.graph.get(id)?.text, rewritten!), { timeout: 10_000 }).toBe('The answer is 42.')
  // And vouches for the result C's verifier disputed: verified by B itself, the dispute dropped (the
  // task's thread is not signed either; the votes recorded with a verdict are).
  expect(disputedTask).not.toBe('')
  const [idB, idC] = [await peerIdOf(b), await peerIdOf(c)]
  await b.evaluate(([t, me]) => {
    const g = window.meshwork.graph.graph!
    const thread = g.get(`task:${t}`)!
    g.update(thread.id, { data: { ...thread.data, verification: { ...(thread.data!.verification as object), status: 'verified', supporters: [me], disputes: [], votes: [] } } })
  }, [disputedTask, idB] as const)
  await expect.poll(() => a.evaluate(t => (window.meshwork.graph.get(`task:${t}`)?.data?.verification as { status?: string } | undefined)?.status, disputedTask), { timeout: 10_000 }).toBe('verified')
  const ctxF = await browser.newContext()
  const f = await openRoomTab(ctxF, 'none')
  const seen = async (): Promise<unknown> => await f.evaluate(t => {
    const s = window.meshwork.tasks.get(t)
    return s === undefined ? undefined : { state: s.state, agentId: s.agentId, text: s.result?.text.includes('333.5') }
  }, firstTask)
  const idA = await peerIdOf(a)
  await expect.poll(seen, { timeout: 20_000 }).toEqual({ state: 'completed', agentId: `calculator@${idA}`, text: true })
  // The mission is listed with the answer its parts' signed results assemble to, not the rewrite,
  // with its plan's parts; the rewrite is reported.
  await expect.poll(() => f.evaluate(t => {
    const s = window.meshwork.tasks.get(t)
    return s === undefined ? undefined : { state: s.state, text: s.result?.text, parts: s.mission?.subtasks.map(p => p.state), rejected: window.meshwork.tasks.stats().rejected['graph-solution-mismatch'] }
  }, missionTask), { timeout: 20_000 }).toEqual({ state: 'completed', text: missionAnswer, parts: ['completed', 'completed'], rejected: 1 })
  // Verdicts are listed as far as their signed votes prove them: C's support of the mission's
  // arithmetic part (signed in C's browser, carried through the graph, checked here), and not B's made-up one.
  await expect.poll(() => f.evaluate(t => window.meshwork.tasks.get(t)?.verification, verifiedPart), { timeout: 20_000 }).toEqual({ status: 'verified', supporters: [idC], disputes: [] })
  const vouched = `the graph records it verified by …${idB.slice(-6)}, but holds no signed support of this result by …${idB.slice(-6)}`
  await expect.poll(() => f.evaluate(t => {
    const v = window.meshwork.tasks.get(t)?.verification
    return v === undefined ? undefined : { status: v.status, refused: v.refused, rejected: window.meshwork.tasks.stats().rejected['graph-verification-unproven'] }
  }, disputedTask), { timeout: 20_000 }).toEqual({ status: 'unverified', refused: vouched, rejected: 1 })
  // The person at F sees the same: the mission board with its two parts and the assembled answer.
  await f.setViewportSize({ width: 1500, height: 1100 })
  await f.getByTestId('tasks-tab').click()
  await f.locator(`[data-testid=task-item][data-task-id="${missionTask}"]`).click()
  await expect(f.locator('[data-testid=mission-board] [data-testid=mission-node][data-state=completed]')).toHaveCount(2)
  await expect(f.getByTestId('task-result-text')).toHaveText(missionAnswer)
  mkdirSync('test-results', { recursive: true })
  await f.screenshot({ path: 'test-results/tasks-mission-listed.png', fullPage: true })
  await f.locator(`[data-testid=task-item][data-task-id="${disputedTask}"]`).click()
  await expect(f.getByTestId('task-verification')).toHaveAttribute('data-status', 'unverified')
  await expect(f.getByTestId('task-verification-refused')).toHaveText(`The graph's record of this verdict was not taken: ${vouched}.`)
  await f.screenshot({ path: 'test-results/tasks-verdict-refused.png', fullPage: true })
  // The Graph tab says the same of the result entity, whose status and "Verified by" the rewrite left as B wrote them.
  await f.getByTestId('graph-tab').click()
  await f.getByTestId('graph-filter-text').fill('14 * 6 = 86')
  await f.locator('[data-testid=graph-item][data-id^="result:"]').first().click()
  await expect(f.getByTestId('result-verdict')).toHaveText(`not proven: ${vouched}`)
  await f.screenshot({ path: 'test-results/graph-verdict-refused.png', fullPage: true })
  await f.getByTestId('graph-filter-text').fill('')
  // Storage follows sync within about 100 ms; a reload sooner than that (as a test does) would come
  // back without the last of it, so wait until the graph is stored, as a page going away asks for.
  await f.evaluate(async () => { await window.meshwork.graph.flush() })
  // Reloaded pointing at a relay that does not exist (so no peer can be found): the graph in
  // IndexedDB still lists it.
  await f.goto(`${stack.url}?room=coord&agents=none&relay=/ip4/127.0.0.1/tcp/9/ws/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo`)
  await f.evaluate(async () => { await window.meshwork.agents.ready; await window.meshwork.tasks.ready })
  expect(await f.evaluate(() => window.meshwork.peers().length)).toBe(0)
  expect(await seen()).toEqual({ state: 'completed', agentId: `calculator@${idA}`, text: true })
  await ctxF.close()
})

test('the tab that asked reloads while its task runs: the task still completes and the tab lists it again', async ({ browser }) => {
  const ctxS = await browser.newContext()
  const s = await openRoomTab(ctxS, 'none')
  const { ctxD } = await slowEchoTabs(browser, [s])
  const id = await s.evaluate(() => window.meshwork.tasks.submit({ text: 'slowly echo plum' }))
  await expect.poll(() => s.evaluate(t => window.meshwork.tasks.get(t)?.state, id), { timeout: 10_000 }).toBe('working')
  // The award is in this tab's graph (records are written up to a second after the fact).
  await expect.poll(() => s.evaluate(t => (window.meshwork.graph.get(`task:${t}`)?.data as { state?: string } | undefined)?.state, id), { timeout: 10_000 }).toBe('working')
  await s.reload()
  await s.evaluate(async () => { await window.meshwork.agents.ready; await window.meshwork.tasks.ready })
  const seen = async (): Promise<unknown> => await s.evaluate(t => { const x = window.meshwork.tasks.get(t); return x === undefined ? undefined : { state: x.state, text: x.result?.text } }, id)
  // It is back at once, taken up from the graph (running, or done already if the result came first).
  expect(await s.evaluate(t => window.meshwork.tasks.get(t)?.state, id)).toMatch(/^(working|completed)$/)
  expect(await s.evaluate(() => window.meshwork.tasks.stats().resumed)).toBe(1)
  await expect.poll(seen, { timeout: 45_000 }).toEqual({ state: 'completed', text: 'echo: plum' })
  for (const p of [a, c]) expect(await p.evaluate(t => window.meshwork.tasks.get(t)?.result?.text, id)).toBe('echo: plum')
  await ctxS.close()
  await ctxD.close()
})

test('the tab that asked closes while its task runs: one tab takes its stewardship over, every tab learns it, the task completes once', async ({ browser }) => {
  const ctxS = await browser.newContext()
  const s = await openRoomTab(ctxS, 'none')
  const { ctxD, d, e } = await slowEchoTabs(browser, [s])
  const rest = [a, b, c, d, e]
  for (const p of rest) {
    await p.evaluate(() => {
      const w = window as unknown as { __takeovers: Array<{ taskId?: string, from: string, summary: string }> }
      w.__takeovers = []
      window.meshwork.tasks.on('protocol', ev => { if (ev.kind === 'takeover') w.__takeovers.push({ taskId: ev.taskId, from: ev.from, summary: ev.summary }) })
    })
  }
  const idS = await peerIdOf(s)
  const id = await s.evaluate(() => window.meshwork.tasks.submit({ text: 'slowly echo fig' }))
  await expect.poll(() => a.evaluate(t => window.meshwork.tasks.get(t)?.state, id), { timeout: 10_000 }).toBe('working')
  const holder = (await a.evaluate(t => window.meshwork.tasks.get(t)!, id)).peerId
  await s.close()
  await ctxS.close()
  // The first in line (the lowest peer id of those left) takes over while the task still runs.
  const ids = await Promise.all(rest.map(peerIdOf))
  const first = [...ids].sort()[0]!
  const stewards = async (): Promise<string[]> => await Promise.all(rest.map(p => p.evaluate(t => window.meshwork.tasks.get(t)!.steward, id)))
  await expect.poll(stewards, { timeout: 20_000 }).toEqual(rest.map(() => first))
  const done = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 30_000 }), id)
  expect(done).toMatchObject({ state: 'completed', peerId: holder, result: { text: 'echo: fig' } })
  // The holder stayed: it ran once, on the first attempt.
  expect(done.attempts).toHaveLength(1)
  expect(await stewards()).toEqual(rest.map(() => first))
  // The new steward took over once; every other tab heard it from the new steward.
  const takeovers = await Promise.all(rest.map(p => p.evaluate(t => (window as unknown as { __takeovers: Array<{ taskId?: string, from: string }> }).__takeovers.filter(x => x.taskId === t).map(x => x.from), id)))
  for (const [i, list] of takeovers.entries()) expect(list, `tab ${i}`).toEqual([first])
  expect(idS).not.toBe(first)
  // Every tab's graph has the outcome, recorded by the new steward.
  for (const p of rest) {
    await expect.poll(() => p.evaluate(t => (window.meshwork.graph.get(`task:${t}`)?.data as { state?: string } | undefined)?.state, id), { timeout: 15_000 }).toBe('completed')
  }
  await ctxD.close()
})

test('a task run on both sides of a network partition is completed once when the sides meet again', async ({ browser }) => {
  const { ctxD, d, e, idD, idE } = await slowEchoTabs(browser)
  const id = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'slowly echo cherry' }))
  await expect.poll(() => c.evaluate(t => window.meshwork.tasks.get(t)?.state, id), { timeout: 10_000 }).toBe('working')
  const first = await c.evaluate(t => window.meshwork.tasks.get(t)!, id)
  const [holder, other, holderId, otherId] = first.peerId === idD ? [d, e, idD, idE] : [e, d, idE, idD]
  // The holder's graph has the task's thread, then the holder is cut off from everyone, mid-run.
  await expect.poll(() => holder.evaluate(t => window.meshwork.graph.get(`task:${t}`) !== undefined, id), { timeout: 10_000 }).toBe(true)
  const rest = [a, b, c, other]
  const restIds = await Promise.all(rest.map(peerIdOf))
  await holder.evaluate(ids => { window.meshwork.node!.setBlocked(ids) }, restIds)
  for (const p of rest) await p.evaluate(h => { window.meshwork.node!.setBlocked([h]) }, holderId)
  // Each side completes it: the steward's side re-awards it to the other tab, the holder finishes its own run.
  const onSteward = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 30_000 }), id)
  expect(onSteward).toMatchObject({ state: 'completed', peerId: otherId, attempt: 2 })
  const onHolder = await holder.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 30_000 }), id)
  expect(onHolder).toMatchObject({ state: 'completed', peerId: holderId })
  expect(onHolder.attempts.find(x => x.outcome === 'completed')?.attempt).toBe(1)

  // The sides meet again: the graphs merge and every tab settles on one completion, the lowest attempt's.
  for (const p of [holder, ...rest]) await p.evaluate(() => { window.meshwork.node!.setBlocked([]) })
  await expectFullMesh([a, b, c, d, e])
  for (const p of [holder, ...rest]) {
    await expect.poll(() => p.evaluate(t => {
      const s = window.meshwork.tasks.get(t)
      const data = window.meshwork.graph.get(`task:${t}`)?.data as { outcome?: { producer?: { peerId?: string, attempt?: number } }, duplicates?: Array<{ peerId: string, attempt: number }> } | undefined
      return { state: s?.state, peerId: s?.peerId, text: s?.result?.text, recorded: data?.outcome?.producer, duplicates: data?.duplicates }
    }, id), { timeout: 30_000 }).toEqual({
      state: 'completed',
      peerId: holderId,
      text: 'echo: cherry',
      recorded: expect.objectContaining({ peerId: holderId, attempt: 1 }),
      duplicates: [expect.objectContaining({ peerId: otherId, attempt: 2 })]
    })
  }
  // The tabs whose completion changed hands say so (shown with the result in the Tasks view).
  for (const p of [c, other]) expect(await p.evaluate(t => window.meshwork.tasks.get(t)?.reason, id)).toMatch(/^merged after a partition: attempt 1 .* attempt 2 .* ran too$/)
  await c.getByTestId('tasks-tab').click()
  await c.locator(`[data-testid=task-item][data-task-id="${id}"] button.pick`).click()
  await expect(c.getByTestId('task-result-text')).toHaveText('echo: cherry')
  await expect(c.getByTestId('task-result-note')).toContainText('merged after a partition')
  await c.screenshot({ path: 'test-results/coord-partition-merged.png', fullPage: true })
  // Both runs stay in the graph (the work was done twice); the thread names one.
  const results = await a.evaluate(t => window.meshwork.graph.list({ kind: 'hypothesis' }).filter(x => x.id.startsWith(`result:${t}:`)).map(x => x.id).sort(), id)
  expect(results).toEqual([`result:${id}:1`, `result:${id}:2`])
  await ctxD.close()
})

test('statements recorded on both sides of a partition that say opposite things raise one conflict when the sides meet', async ({ browser }) => {
  // A researcher of its own for A's side: A and R are cut off from B and C; each side records its own
  // statement, neither seeing the other's.
  const ctxR = await browser.newContext()
  const r = await openRoomTab(ctxR, 'researcher')
  await expectFullMesh([a, b, c, r])
  await registriesHave([a, b, c, r], 6)
  const [idA, idB, idC, idR] = (await Promise.all([a, b, c, r].map(peerIdOf))) as [string, string, string, string]
  for (const p of [a, r]) await p.evaluate(ids => { window.meshwork.node!.setBlocked(ids) }, [idB, idC])
  for (const p of [b, c]) await p.evaluate(ids => { window.meshwork.node!.setBlocked(ids) }, [idA, idR])
  const onA = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'The nightly export job is enabled.' }))
  expect(await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), onA)).toMatchObject({ state: 'completed', skillId: 'graph.record', result: { output: { graph: 'new' } } })
  const onB = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'The nightly export job is disabled.' }))
  // B's graph has nothing on it either: recorded as news, no conflict named.
  const told = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), onB)
  expect(told).toMatchObject({ state: 'completed', skillId: 'graph.record', result: { output: { graph: 'new' } } })
  expect(told.result?.contradicts).toBeUndefined()
  const apart = (): Array<{ id: string, statements: unknown }> => window.meshwork.graph.list({ kind: 'conflict' })
    .filter(e => e.text.includes('nightly export job')).map(e => ({ id: e.id, statements: e.data?.statements }))
  expect(await a.evaluate(apart)).toEqual([])
  // The sides meet: the graphs merge, and B, which recorded the later statement, raises the conflict.
  for (const p of [a, b, c, r]) await p.evaluate(() => { window.meshwork.node!.setBlocked([]) })
  await expectFullMesh([a, b, c, r])
  const rids = await Promise.all([[a, onA], [b, onB]].map(async ([p, t]) => await (p as Page).evaluate(x => window.meshwork.graph.list({ kind: 'hypothesis' }).find(e => e.data?.taskId === x)!.id, t as string)))
  for (const p of [a, b, c, r]) {
    await expect.poll(() => p.evaluate(apart), { timeout: 30_000 }).toEqual([{ id: expect.stringMatching(/^conflict:/), statements: [rids[1], rids[0]] }])
  }
  const cid = (await c.evaluate(apart))[0]!.id
  // Asked on the third tab: both sides are quoted and the conflict named as open.
  await expectOpenConflictNamed(c, 'Is the nightly export job enabled?', cid)
  // The explorer shows it open, with a side to take.
  await c.getByTestId('graph-tab').click()
  await c.getByTestId('graph-filter-text').fill('Noticed once both were in one graph')
  await c.getByTestId('graph-item').filter({ hasText: 'nightly export job' }).first().click({ timeout: 15_000 })
  await expect(c.getByTestId('graph-conflict-holds')).toHaveCount(2)
  await expect(c.getByTestId('graph-conflict-apart')).toContainText('Recorded apart')
  await c.getByTestId('graph-detail').screenshot({ path: test.info().outputPath('graph-conflict-apart.png') })
  await c.getByTestId('tasks-tab').click()
  await ctxR.close()
})

test('a question about a stated value, and a computation on its answer, become a mission: the researcher finds it, the calculator works on it', async () => {
  const [idA, idB] = [await peerIdOf(a), await peerIdOf(b)]
  const told = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'The admin console port is 8443.' }))
  expect(await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), told)).toMatchObject({ state: 'completed', skillId: 'graph.record' })
  for (const p of [a, b]) await expect.poll(() => p.evaluate(() => window.meshwork.graph.list({ kind: 'hypothesis' }).some(e => e.text === 'The admin console port is 8443.')), { timeout: 15_000 }).toBe(true)
  // Before, this went whole to the researcher, which gave the port and dropped "what is 10% of it".
  const id = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'What port is the admin console on, and what is 10% of it?' }))
  const done = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 45_000 }), id)
  expect(done.state, JSON.stringify(done)).toBe('completed')
  const parts = await Promise.all(done.mission!.subtasks.map(async s => await a.evaluate(t => window.meshwork.tasks.get(t)!, s.taskId)))
  expect(parts.map(p => [p.text, p.state, p.agentId])).toEqual([
    ['What port is the admin console on', 'completed', `researcher@${idB}`],
    ['What is 10% of it?', 'completed', `calculator@${idA}`]
  ])
  expect(parts[0]!.result?.text).toContain('8443')
  expect(parts[1]!.result?.text).toBe('844.3')
})

test('a mission part that counts the results before it, a division by zero and a request to forget: each answered, and checked where there is something to check', async () => {
  const idA = await peerIdOf(a)
  // Before: nobody bid on "Count them", and the mission failed half done.
  const mission = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Find the primes between 50 and 80, then count them' }))
  const done = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 45_000 }), mission)
  expect(done.state, JSON.stringify(done)).toBe('completed')
  const parts = await Promise.all(done.mission!.subtasks.map(async s => await a.evaluate(t => window.meshwork.tasks.get(t)!, s.taskId)))
  expect(parts.map(p => [p.text, p.state, p.agentId, p.result?.text])).toEqual([
    ['Find the primes between 50 and 80', 'completed', `calculator@${idA}`, '[53, 59, 61, 67, 71, 73, 79]'],
    ['Count them', 'completed', `calculator@${idA}`, '7']
  ])
  // Before: "Undefined: 100 / 0 divides by zero" stayed unverified, every verifier abstaining.
  const zero = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'What is 100 divided by 0?' }))
  expect(await b.evaluate(async t => (await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 })).result?.text, zero)).toBe('Undefined: 100 / 0 divides by zero')
  await expect.poll(() => b.evaluate(t => window.meshwork.tasks.get(t)?.verification?.status, zero), { timeout: 20_000 }).toBe('verified')
  // Before: "Forget that ..." was answered by quoting the statement to forget.
  const told = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'Remember that the quarterly audit log is kept for 400 days.' }))
  expect(await c.evaluate(async t => (await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 })).state, told)).toBe('completed')
  await expect.poll(() => b.evaluate(() => window.meshwork.graph.list({ kind: 'hypothesis' }).some(e => e.text === 'The quarterly audit log is kept for 400 days.')), { timeout: 15_000 }).toBe(true)
  const forget = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'Forget that the quarterly audit log is kept for 400 days.' }))
  const answer = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), forget)
  expect(answer).toMatchObject({ state: 'completed', skillId: 'graph.lookup' })
  expect(answer.result?.text).toMatch(/^Agents do not take back what the room recorded; a person retracts it, .* To forget it, open \[result:[^\]]+\] "The quarterly audit log is kept for 400 days" in the Graph tab and choose Retract…$/)
  // Nothing was retracted for the person, and the request itself was not recorded as knowledge.
  const held = await b.evaluate(() => window.meshwork.graph.list({ kind: 'hypothesis' }).filter(e => /quarterly audit/.test(e.text)).map(e => [e.text, e.status]))
  expect(held).toEqual([['The quarterly audit log is kept for 400 days.', 'proposed']])
})

test('questions about the mesh itself are answered from what a tab sees of it, and a verifier on another tab sees the same', async () => {
  const [idA, idB, idC] = await Promise.all([a, b, c].map(peerIdOf)) as [string, string, string]
  const ask = async (text: string): Promise<Awaited<ReturnType<typeof window.meshwork.tasks.wait>>> => {
    const id = await a.evaluate(t => window.meshwork.tasks.submit({ text: t }), text)
    const done = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), id)
    // Before, nobody bid on these: they ended unassigned.
    expect(done, JSON.stringify(done)).toMatchObject({ state: 'completed', agentId: `researcher@${idB}`, skillId: 'mesh.status' })
    return done
  }
  const online = await ask('Which agents are online?')
  expect(online.result?.text.split('\n')).toEqual([
    '5 agents are online on 3 tabs:',
    // Asked on A: A is "your tab", first; B answered (the researcher's work on this very question is not reported).
    `- your tab (…${idA.slice(-6)}): Calculator and Planner`,
    `- the answering tab (…${idB.slice(-6)}): Researcher and Summariser`,
    `- …${idC.slice(-6)}: Verifier`
  ])
  expect(online.result?.output).toEqual({ mesh: { about: 'agents', ids: [`calculator@${idA}`, `planner@${idA}`, `researcher@${idB}`, `summariser@${idB}`, `verifier@${idC}`].sort(), by: `researcher@${idB}` }, count: 5 })
  // C's verifier asked its own view of the mesh, and saw the same agents.
  await expect.poll(() => a.evaluate(t => window.meshwork.tasks.get(t)?.verification?.status, online.id), { timeout: 20_000 }).toBe('verified')
  // "Who can" goes by the bid rules, each tab's: the calculator reads the clock, whatever skill words are nearer.
  const time = await ask('Who can tell me the time?')
  expect(time.result?.output).toEqual({ mesh: { about: 'who-can', ids: [`calculator@${idA}`], by: `researcher@${idB}` }, count: 1 })
  expect(time.result?.text.split('\n')[1]).toMatch(new RegExp(`^- Calculator, ".+" \\(bid 0\\.\\d\\d\\), on your tab \\(…${idA.slice(-6)}\\)$`))
  await expect.poll(() => a.evaluate(t => window.meshwork.tasks.get(t)?.verification?.status, time.id), { timeout: 20_000 }).toBe('verified')
  // A capability without its material (no claim to check) draws no bid as a request: it is asked again as a capability.
  const check = await ask('Who can check a claim?')
  expect(check.result?.output).toMatchObject({ mesh: { about: 'who-can', ids: [`verifier@${idC}`] } })
  // Nobody here runs JavaScript: the answer says so, and names the nearest skill.
  const js = await ask('Which agent can run JavaScript?')
  expect(js.result?.text).toMatch(/^No agent online offers "run JavaScript": the nearest skill is .+, at a fit of 0\.\d\d, below the 0\.45 an agent needs to bid\.$/)
  // The room's tasks, newest first, this question left out (before, the summariser took this one and failed it).
  const last = await ask('Summarise the last two tasks')
  const lines = last.result!.text.split('\n')
  expect(lines[0]).toBe('The last 2 tasks of the room, newest first:')
  const oneLine = (text: string): string => { const line = text.replace(/\s+/g, ' ').trim(); return line.length <= 160 ? line : `${line.slice(0, 159)}…` }
  expect(lines.slice(1).map(l => /^- "(.*)" \(completed(?:, \w+)? by Researcher on …(\w{6})\): (.*)$/.exec(l)?.slice(1))).toEqual([
    ['Which agent can run JavaScript?', idB.slice(-6), oneLine(js.result!.text)],
    ['Who can check a claim?', idB.slice(-6), oneLine(check.result!.text)]
  ])
  // A report on the mesh is what one tab saw at one moment: not knowledge the researcher answers from later.
  await expect.poll(() => a.evaluate(t => window.meshwork.tasks.get(t)?.verification?.status, js.id), { timeout: 20_000 }).toBe('verified')
  await expect.poll(() => b.evaluate(() => window.meshwork.graph.list({ kind: 'fact' }).filter(e => /^Verified: Which agents are online\?/.test(e.title ?? '')).map(e => e.id)), { timeout: 15_000 }).toHaveLength(1)
  const [fact] = await b.evaluate(() => window.meshwork.graph.list({ kind: 'fact' }).filter(e => /^Verified: Which agents are online\?/.test(e.title ?? '')).map(e => e.id))
  const quoted = await b.evaluate(async id => await window.meshwork.agents.run(id, { id: 'mesh-knowledge', text: 'What do we know about the agents that are online?' }), `researcher@${idB}`)
  expect(quoted.citations ?? []).not.toContain(fact)
  expect(quoted.text).not.toContain('5 agents are online')
})

test('a rogue peer sending forged, oversized, replayed, malformed and unknown-version messages changes nothing and is reported', async () => {
  const rogue = await openRoomTab(ctxA, 'none')
  await expectFullMesh([a, b, c, rogue])
  // A finished task whose outcome the rogue will try to disturb.
  const id = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'What is 12 times 12?' }))
  const before = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), id)
  expect(before.state).toBe('completed')
  const baseline = await Promise.all([a, b, c].map(async p => await p.evaluate(() => window.meshwork.tasks.stats().rejected)))

  // The rogue captures its own engine's signed messages and another peer's, then abuses them.
  await rogue.evaluate(() => {
    const w = window as unknown as { __own: Uint8Array[], __theirs: Uint8Array[] }
    w.__own = []; w.__theirs = []
    window.meshwork.node!.tapChannels((direction, channel, data) => {
      if (channel === 'coord') (direction === 'out' ? w.__own : w.__theirs).push(data)
    })
  })
  // Make both kinds of traffic happen: the rogue submits a task (it cannot do it: no agents there either).
  await rogue.evaluate(() => window.meshwork.tasks.submit({ text: 'What is 7 plus 8?' }))
  await expect.poll(() => rogue.evaluate(() => { const w = window as unknown as { __own: Uint8Array[], __theirs: Uint8Array[] }; return Math.min(w.__own.length, w.__theirs.length) }), { timeout: 10_000 }).toBeGreaterThan(0)
  const sent = await rogue.evaluate(async taskId => {
    const w = window as unknown as { __own: Uint8Array[], __theirs: Uint8Array[] }
    const node = window.meshwork.node!
    const enc = new TextEncoder(); const dec = new TextDecoder()
    const send = (bytes: Uint8Array): void => { node.publishRaw(bytes, 'coord') }
    // A frame: a header line, one line per message, the signature line (docs/protocol.md, "Frames").
    const lines = (bytes: Uint8Array): string[] => dec.decode(bytes).split('\n')
    const rebuild = (bytes: Uint8Array, header: Record<string, unknown>, item: Record<string, unknown>): Uint8Array => {
      const l = lines(bytes)
      const h = JSON.parse(l[0]!) as Record<string, unknown>
      const first = JSON.parse(l[1]!) as Record<string, unknown>
      return enc.encode([JSON.stringify({ ...h, ...header, n: 1 }), JSON.stringify({ ...first, ...item }), l[l.length - 1]].join('\n'))
    }
    // replayed: the rogue's own valid message, again.
    send(w.__own[0]!)
    // forged: someone else's message sent as if the rogue were them; and a tampered message under the rogue's own signature.
    send(w.__theirs[0]!)
    send(rebuild(w.__own[0]!, {}, { id: 'tampered-1' }))
    // A forged cancel for the finished task, claiming to come from the submitter.
    send(rebuild(w.__theirs[0]!, {}, { kind: 'cancel', id: 'forged-1', body: { taskId, reason: 'rogue' } }))
    // oversized, malformed, unknown version, unknown kind.
    send(new Uint8Array(70 * 1024).fill(65))
    send(enc.encode('{"v":2,"from":'))
    send(new Uint8Array([0xff, 0xfe, 0xfd]))
    send(rebuild(w.__own[0]!, { v: 99 }, { id: 'v99-1' }))
    send(rebuild(w.__own[0]!, {}, { kind: 'takeover-everything', id: 'k-1' }))
    return 9
  }, id)
  expect(sent).toBe(9)
  // Every honest tab counts each kind of refusal by reason, and nothing changed.
  for (const [i, p] of [a, b, c].entries()) {
    await expect.poll(async () => {
      const r = await p.evaluate(() => window.meshwork.tasks.stats().rejected)
      const delta = (k: string): number => (r[k] ?? 0) - (baseline[i]![k] ?? 0)
      if (process.env.DEBUG_ROGUE !== undefined) console.log(`tab ${i}`, JSON.stringify(Object.fromEntries(Object.keys(r).map(k => [k, delta(k)]))))
      return { replayed: delta('replayed') > 0, forged: delta('sender-mismatch') + delta('bad-signature') >= 3, tooLarge: delta('too-large') > 0, malformed: delta('not-json') + delta('not-utf8') >= 2, version: delta('unknown-version') > 0, kind: delta('unknown-kind') > 0 }
    }, { timeout: 30_000 }).toEqual({ replayed: true, forged: true, tooLarge: true, malformed: true, version: true, kind: true })
    const after = await p.evaluate(t => window.meshwork.tasks.get(t), id)
    expect(after?.state).toBe('completed')
    expect(after?.result?.text).toBe(before.result?.text)
    const problems = await p.evaluate(() => window.meshwork.stats().problems)
    expect(Object.keys(problems).filter(k => k.startsWith('coord:')).length).toBeGreaterThanOrEqual(5)
  }
  await b.getByTestId('problem-count').waitFor()
  // The mesh view counts the coordination traffic the tasks above made (it said "messages 0" before:
  // it counted only the node's own app messages).
  await b.getByRole('button', { name: 'Mesh', exact: true }).click()
  await expect(b.getByTestId('mesh-counters')).toContainText(/coordination frames in [1-9]\d* \/ out [1-9]/)
  await b.screenshot({ path: 'test-results/coord-rogue-reported.png', fullPage: true })
  await rogue.close()
})
