// The acceptance suite run against the in-memory test adapter: proves the suite itself is
// sound (an adapter known to work passes it) independently of libp2p.
import './helpers.ts'
import { runNetworkAdapterTests } from '@automerge/automerge-repo/helpers/tests/network-adapter-tests.js'
import { MemoryHub } from './memory-network.ts'
import { runNetworkAdapterSuite } from './network-adapter-suite.ts'

runNetworkAdapterSuite('in-memory hub', async () => {
  const hub = new MemoryHub()
  return { adapters: [hub.adapter(), hub.adapter(), hub.adapter()], teardown: async () => {} }
})

runNetworkAdapterTests(async () => {
  const hub = new MemoryHub()
  return { adapters: [hub.adapter(), hub.adapter(), hub.adapter()] }
}, 'in-memory hub')
