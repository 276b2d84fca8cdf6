/**
 * A build-time change to @automerge/automerge-repo 2.5.x, applied by Vite (build and dev pre-bundling):
 *
 * DocHandle.js computes `A.diff` of every change for its 'change' event before emitting it, whether
 * or not a listener reads the patches. When a new tab adopts a room graph from a peer's snapshot
 * (src/graph/snapshot.ts), that diff runs over the whole history, genesis to now: 0.2-0.25 s of the
 * graph worker for 10k entities (bench:graph's `updateMs`), after which the document is held. The
 * graph store has indexed the snapshot already and checks it for conflicts in slices instead
 * (graph-store.ts `adopt`), so nobody needs those patches. With the patch the event carries the
 * patches as a getter that diffs on first read (once): listeners that read them (the graph store on
 * every other change, the agent registry) get the same patches; the sync machinery, which only
 * needs to know that the document changed, no longer pays for them. The event is now also emitted
 * when the heads changed but the diff is empty (a change without ops); every listener here handles
 * empty patches.
 *
 * The patch fails the build when the code it replaces is not found exactly once, so a library upgrade
 * that changes it is noticed instead of silently shipping without it.
 */
import { replaceOnce, sourcePatchPlugin, type TransformPlugin } from './source-patch.ts'

export const DOC_HANDLE_TARGET = /@automerge[\\/]automerge-repo[\\/]dist[\\/]DocHandle\.js$/

/** The eager diff and the event that carries it, as in 2.5.x. */
const EAGER_DIFF = /const patches = A\.diff\(after, beforeHeads, afterHeads\);\s*if \(patches\.length > 0\) \{\s*this\.emit\("change", \{\s*handle: this,\s*doc: after,\s*patches,\s*\/\/[^\n]*\n\s*patchInfo: \{ before, after, source: "change" \},\s*\}\);\s*\}/

const LAZY_DIFF = `// meshwork patch: the patches are diffed when a listener first reads them
            let patches;
            this.emit("change", {
                handle: this,
                doc: after,
                get patches() { return (patches ??= A.diff(after, beforeHeads, afterHeads)); },
                patchInfo: { before, after, source: "change" },
            });`

/** The patched source of DocHandle.js; throws if `code` does not hold the code this changes exactly once. */
export function patchDocHandle (code: string): string {
  return replaceOnce(code, EAGER_DIFF, LAZY_DIFF, found => `patch-automerge-repo: expected the eager diff of DocHandle's change event once in @automerge/automerge-repo, found it ${found} times; check whether the library changed it and update scripts/patch-automerge-repo.ts`)
}

/** For Vite's build (and, in optimizeDeps.rolldownOptions, for its dev pre-bundling). */
export function automergeRepoFixes (): TransformPlugin {
  return sourcePatchPlugin('meshwork-automerge-repo-lazy-patches', [{ target: DOC_HANDLE_TARGET, patch: patchDocHandle }])
}
