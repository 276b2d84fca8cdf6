// Questions an agent asks the mesh, answered by the mesh: real engines on a simulated network and
// fake clock; each tab's "researcher" is a lookup function (the researcher itself is tested in
// test/unit/agents/builtin-researcher.test.ts).
import { describe, expect, it } from 'vitest'
import { FakeClock, MemoryNetwork, makeNode, runFor, runUntil, type SimNode } from '../coord/sim.ts'
import { answerMeshQuestions, answeringOrder, type MeshQuestion } from '../../../src/app/mesh-answers.ts'

const QUESTION = 'Which database did the team decide to use?'

async function room (clock: FakeClock): Promise<SimNode[]> {
  const net = new MemoryNetwork(clock)
  const asker = await makeNode(net, clock, [{
    id: 'migrator', skill: 'db', keywords: ['migrate'], confidence: 0.9,
    run: async (_task, hooks) => ({ text: `migrating to ${await hooks.ask(QUESTION, 'mesh')}` })
  }])
  return [asker, await makeNode(net, clock, []), await makeNode(net, clock, []), await makeNode(net, clock, [])]
}

function attach (clock: FakeClock, node: SimNode, peers: () => string[], lookup: (q: MeshQuestion) => string | undefined, looked: string[]): () => void {
  return answerMeshQuestions({
    engine: node.engine,
    peerId: node.id.peerId,
    answeringPeers: peers,
    answer: async q => {
      looked.push(node.id.peerId)
      const text = lookup(q)
      return text === undefined ? undefined : { text, agentId: `researcher@${node.id.peerId}` }
    },
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: h => { clock.clearTimeout(h as never) }
  })
}

describe('the mesh answers an agent\'s question to the mesh', () => {
  it('one researcher tab answers, in the order every tab derives; the others never look', async () => {
    const clock = new FakeClock()
    const nodes = await room(clock)
    const answerers = nodes.slice(1)
    const peers = (): string[] => answerers.map(n => n.id.peerId)
    const looked: string[] = []
    for (const n of answerers) attach(clock, n, peers, () => `PostgreSQL (said ${n.id.peerId.slice(-4)})`, looked)
    const id = nodes[0]!.engine.tasks.submit({ text: 'migrate the data' })
    await runUntil(clock, () => nodes.every(n => n.engine.tasks.get(id)?.state === 'completed'), 10_000)
    const questionId = nodes[0]!.engine.tasks.get(id)!.questions[0]!.questionId
    const first = answeringOrder(questionId, peers())[0]!
    expect(looked).toEqual([first])
    for (const n of nodes) {
      const t = n.engine.tasks.get(id)!
      expect(t.result?.text).toBe(`migrating to PostgreSQL (said ${first.slice(-4)})`)
      expect(t.questions).toEqual([{ questionId, agentId: 'migrator', text: QUESTION, to: 'mesh', answer: `PostgreSQL (said ${first.slice(-4)})` }])
      expect(n.engine.stats().ignored['duplicate-answer'] ?? 0).toBe(0)
    }
    // The answering tab records the answer as its researcher's, in the graph's provenance.
    const answering = answerers.find(n => n.id.peerId === first)!
    expect(answering.recorder.consultations.filter(c => c.kind === 'answer')).toMatchObject([{ about: questionId, agentId: `researcher@${first}`, peerId: first }])
  })

  it('a tab whose graph holds nothing lets the next one answer; a question nobody can answer waits for a person', async () => {
    const clock = new FakeClock()
    const nodes = await room(clock)
    const answerers = nodes.slice(1)
    const peers = (): string[] => answerers.map(n => n.id.peerId)
    const looked: string[] = []
    // Only the tab last in the order for this question knows; which one that is depends on the
    // question id, so each tab decides from it.
    let last: string | undefined
    for (const n of answerers) {
      attach(clock, n, peers, q => {
        last ??= answeringOrder(q.questionId, peers()).at(-1)
        return n.id.peerId === last ? 'SQLite' : undefined
      }, looked)
    }
    const id = nodes[0]!.engine.tasks.submit({ text: 'migrate the data' })
    await runUntil(clock, () => nodes[0]!.engine.tasks.get(id)?.state === 'completed', 20_000)
    const questionId = nodes[0]!.engine.tasks.get(id)!.questions[0]!.questionId
    expect(looked).toEqual(answeringOrder(questionId, peers()))
    expect(nodes[0]!.engine.tasks.get(id)!.result?.text).toBe('migrating to SQLite')

    // Nobody's graph knows: the question stays open for a person, who answers it.
    const clock2 = new FakeClock()
    const nodes2 = await room(clock2)
    const looked2: string[] = []
    for (const n of nodes2.slice(1)) attach(clock2, n, () => nodes2.slice(1).map(x => x.id.peerId), () => undefined, looked2)
    const id2 = nodes2[0]!.engine.tasks.submit({ text: 'migrate the data' })
    await runUntil(clock2, () => looked2.length === 3, 20_000)
    await runFor(clock2, 10_000)
    expect(nodes2[0]!.engine.tasks.get(id2)!.state).toBe('input-required')
    nodes2[2]!.engine.tasks.answer(nodes2[2]!.engine.tasks.get(id2)!.questions[0]!.questionId, 'MySQL')
    await runUntil(clock2, () => nodes2[0]!.engine.tasks.get(id2)?.state === 'completed', 10_000)
    expect(nodes2[0]!.engine.tasks.get(id2)!.result?.text).toBe('migrating to MySQL')
  })

  it('a question to the person is left to the person, and a tab hosting no researcher never answers', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const asker = await makeNode(net, clock, [{
      id: 'planner', skill: 'p', keywords: ['plan'], confidence: 0.9,
      run: async (_task, hooks) => ({ text: `planned for ${await hooks.ask('Which day suits you?')}` })
    }])
    const b = await makeNode(net, clock, [])
    const looked: string[] = []
    // b answers only for peers the registry lists as hosting a researcher: none here but the asker.
    attach(clock, b, () => [asker.id.peerId], () => 'Monday', looked)
    attach(clock, asker, () => [asker.id.peerId], () => 'Monday', looked)
    const id = b.engine.tasks.submit({ text: 'plan the offsite' })
    await runUntil(clock, () => b.engine.tasks.get(id)?.state === 'input-required', 5000)
    await runFor(clock, 10_000)
    expect(looked).toEqual([])
    expect(b.engine.tasks.get(id)!.state).toBe('input-required')
  })
})
