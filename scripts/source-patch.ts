/**
 * What the build-time changes to dependencies share (patch-libp2p-webrtc.ts, patch-automerge-repo.ts):
 * a replacement that must find its target exactly once, and the Vite plugin that applies changes to
 * the modules whose path matches.
 */

/** `code` with `pattern` replaced; throws with `onMismatch(count)` unless `pattern` occurs exactly once. */
export function replaceOnce (code: string, pattern: RegExp, replacement: string, onMismatch: (found: number) => string): string {
  const matches = code.match(new RegExp(pattern.source, 'g')) ?? []
  if (matches.length !== 1) throw new Error(onMismatch(matches.length))
  return code.replace(pattern, () => replacement)
}

export interface TransformPlugin {
  name: string
  transform: (code: string, id: string) => { code: string, map: null } | null
}

/** A Vite (and rolldown) plugin applying `patch` to every module whose file path matches `target`. */
export function sourcePatchPlugin (name: string, patches: Array<{ target: RegExp, patch: (code: string) => string }>): TransformPlugin {
  return {
    name,
    transform (code, id) {
      const file = id.split('?')[0]!
      for (const { target, patch } of patches) if (target.test(file)) return { code: patch(code), map: null }
      return null
    }
  }
}
