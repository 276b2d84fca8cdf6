// Runs the agent registry compliance suite against both implementations: the in-process
// AgentRegistry (a Repo per peer) and the page's RemoteAgentRegistry, whose document lives in the
// graph worker's code (serveGraph on one end of a MessageChannel, as in graph-worker.test.ts),
// synced through a page-side adapter. The hostile peer is an in-process Repo on the same network.
import '../graph/helpers.ts'
import type { Repo } from '@automerge/automerge-repo/slim'
import { openAgentRegistry } from '../../../src/agents/registry.ts'
import { createGraphRepo } from '../../../src/graph/room.ts'
import { MemoryHub } from '../graph/memory-network.ts'
import { forger, openRemote } from './registry-peers.ts'
import { runAgentRegistrySuite } from './registry-suite.ts'

runAgentRegistrySuite('in-process AgentRegistry', async () => {
  const hub = new MemoryHub()
  const repos: Repo[] = []
  return {
    open: async owner => {
      const repo = createGraphRepo({ network: hub.adapter(), peerId: `peer-${repos.length}` })
      repos.push(repo)
      return await openAgentRegistry(repo, 'lab', owner)
    },
    forge: forger(hub, repos),
    teardown: async () => { await Promise.all(repos.map(async r => { await r.shutdown() })) }
  }
})

runAgentRegistrySuite('RemoteAgentRegistry (document in the graph worker)', async () => {
  const hub = new MemoryHub()
  const repos: Repo[] = []
  const pages: Array<() => void> = []
  return {
    open: async owner => {
      const { registry, close } = openRemote(hub, `page-${pages.length}`, owner)
      pages.push(close)
      await registry.ready
      return registry
    },
    forge: forger(hub, repos),
    teardown: async () => {
      for (const close of pages) close()
      await Promise.all(repos.map(async r => { await r.shutdown() }))
    }
  }
})
