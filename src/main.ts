import { mount } from 'svelte'
import { registerSW } from 'virtual:pwa-register'
import App from './ui/App.svelte'
import { MeshState } from './ui/mesh-state.svelte.ts'
import { GraphState } from './ui/graph/graph-state.svelte.ts'
import { AgentsState } from './ui/agents/agents-state.svelte.ts'
import { TasksState } from './ui/tasks/tasks-state.svelte.ts'
import { boot } from './app/boot.ts'
import { createApi, type MeshworkApi } from './app/api.ts'

declare global {
  interface Window { meshwork: MeshworkApi }
}

const mesh = new MeshState()
const graph = new GraphState()
const agents = new AgentsState()
const tasks = new TasksState()
// The node starts first: its first steps wait on the network and IndexedDB, and the UI mounts
// meanwhile instead of delaying them (~50 ms of a new tab's main thread).
const booted = boot()
mount(App, { target: document.getElementById('app')!, props: { mesh, graph, agents, tasks } })
window.meshwork = createApi(booted.then(b => b.node), booted.then(b => b.graph), {
  host: booted.then(b => b.agents.host),
  ready: booted.then(b => b.agents.ready)
}, booted.then(b => b.coord))
booted.then(b => {
  mesh.attach(b.node, b.config.relays)
  b.graph.then(g => {
    graph.attach(g.graph)
    graph.watchSync(() => {
      const { bytesIn, bytesOut, rejected } = g.adapter.stats
      return { peers: g.adapter.sessionPeers.length, partners: g.store.syncPartners, bytesIn, bytesOut, rejected, snapshot: { ...g.catchUp.report, served: g.snapshots.stats.served, failed: { ...g.snapshots.stats.failed } } }
    })
  }, () => {})
  b.agents.host.then(h => { agents.attach(h) }, () => {})
  // The engine starts once the graph is open, so both are there when it resolves.
  Promise.all([b.coord, b.graph]).then(([c, g]) => { tasks.attach(c.engine, g.graph) }, () => {})
}, (err: Error) => {
  console.error('meshwork failed to start', err)
  mesh.fail(err.message)
})

if ('serviceWorker' in navigator) registerSW({ immediate: true })
