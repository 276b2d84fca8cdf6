/**
 * The built-in agents. `builtinManifest` is synchronous and light (manifests are plain data);
 * `loadBuiltin` imports one kind's handler on demand, so a worker that runs the calculator never
 * loads QuickJS and one that runs the js-runner never loads mathjs.
 */
import { parseManifest, type AgentManifest } from '../manifest.ts'
import { BUILTIN_KINDS, type AgentHandler, type BuiltinAgent, type BuiltinKind } from '../types.ts'
import { BUILTIN_MANIFEST_SOURCES } from './manifests.ts'

type HandlerModule = { handler: AgentHandler }

const HANDLERS: Record<BuiltinKind, () => Promise<HandlerModule>> = {
  calculator: () => import('./calculator.ts'),
  summariser: () => import('./summariser.ts'),
  researcher: () => import('./researcher.ts'),
  'js-runner': () => import('./js-runner.ts'),
  verifier: () => import('./verifier.ts'),
  planner: () => import('./planner.ts'),
  llm: () => import('./llm.ts')
}

export function isBuiltinKind (kind: unknown): kind is BuiltinKind {
  return typeof kind === 'string' && (BUILTIN_KINDS as readonly string[]).includes(kind)
}

function checkKind (kind: unknown): asserts kind is BuiltinKind {
  if (!isBuiltinKind(kind)) {
    throw new Error(`unknown built-in agent kind ${JSON.stringify(kind)}; known kinds: ${BUILTIN_KINDS.join(', ')}`)
  }
}

/** The validated manifest of a built-in kind; a fresh object on every call (callers may change it). */
export function builtinManifest (kind: BuiltinKind): AgentManifest {
  checkKind(kind)
  return parseManifest(BUILTIN_MANIFEST_SOURCES[kind])
}

/** Loads a built-in kind's handler (a dynamic import, one chunk per kind) with its manifest. */
export async function loadBuiltin (kind: BuiltinKind): Promise<BuiltinAgent> {
  checkKind(kind)
  const { handler } = await HANDLERS[kind]()
  return { kind, manifest: builtinManifest(kind), handler }
}
