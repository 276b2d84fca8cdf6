/**
 * Composition root of a tab: resolves the configuration, loads the identity, builds the libp2p
 * stack and the mesh node from their factories, and starts them. Errors at any step are reported
 * to the caller with the step that failed, never swallowed.
 */
import { fetchServerConfig, loadSettings, resolveConfig, type ConfigProblem, type MeshConfig } from '../net/config.ts'
import { loadIdentity } from '../net/identity.ts'
import { createBrowserLibp2p } from '../net/libp2p-node.ts'
import { MeshNode } from '../net/mesh-node.ts'
import { StartupTimeline } from '../net/startup.ts'
import { openGraph, type OpenGraph } from './graph-boot.ts'
import { startAgents, type StartedAgents } from './agents-boot.ts'
import { startCoord, type StartedCoord } from './coord-boot.ts'

export interface BootResult {
  node: MeshNode
  /** The room's knowledge graph; opens after the node starts, independent of the relay. */
  graph: Promise<OpenGraph>
  /** The tab's agents: the host once the graph (and registry) is open; ready once the model is loaded too. */
  agents: StartedAgents
  /** The coordination engine, once the graph is open and this tab's agents run. */
  coord: Promise<StartedCoord>
  config: MeshConfig
  problems: ConfigProblem[]
  identitySlot: number
}

export async function boot (): Promise<BootResult> {
  const timeline = new StartupTimeline()
  timeline.mark('bootStarted')
  const server = await fetchServerConfig(AbortSignal.timeout(5_000))
  timeline.mark('configFetched')
  const { config, problems } = resolveConfig({ url: new URLSearchParams(location.search), settings: loadSettings(), server })
  const identity = await loadIdentity()
  timeline.mark('identityLoaded')
  const libp2p = await createBrowserLibp2p({ privateKey: identity.privateKey, room: config.room, iceServers: config.iceServers })
  timeline.mark('libp2pStarted')
  const node = new MeshNode(libp2p, { room: config.room, relays: config.relays, timeline })
  for (const p of problems) node.report('config', `bad-${p.field}`, `${p.message} (from ${p.source}; ignored)`)
  await node.start()
  const graph = openGraph(node, identity.privateKey)
  graph.catch(err => { node.report('api', 'graph-open-failed', `the knowledge graph could not be opened: ${(err as Error).message}`) })
  const agents = startAgents(node, graph, server?.model)
  const coord = Promise.all([graph, agents.started]).then(([g, host]) => {
    const started = startCoord(node, identity.privateKey, g, host)
    agents.setTaskSource(() => started.engine.tasks.list())
    agents.setBidSource(started.wouldBid)
    return started
  })
  coord.catch(err => { node.report('coord', 'start-failed', `coordination could not start: ${(err as Error).message}`) })
  return { node, graph, agents, coord, config, problems, identitySlot: identity.slot }
}
