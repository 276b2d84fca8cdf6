import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { DOC_HANDLE_TARGET, patchDocHandle } from '../../../scripts/patch-automerge-repo.ts'

const docHandleFile = fileURLToPath(new URL('../../../node_modules/@automerge/automerge-repo/dist/DocHandle.js', import.meta.url))

describe('the automerge-repo patch (lazy patches on DocHandle change events)', () => {
  it('applies to the installed DocHandle.js exactly once and makes the diff lazy and memoised', () => {
    expect(DOC_HANDLE_TARGET.test(docHandleFile)).toBe(true)
    const code = readFileSync(docHandleFile, 'utf8')
    const patched = patchDocHandle(code)
    expect(patched).not.toMatch(/const patches = A\.diff\(after, beforeHeads, afterHeads\)/)
    expect(patched).toContain('get patches() { return (patches ??= A.diff(after, beforeHeads, afterHeads)); }')
    // The replacement runs as written: the diff happens on the first read only, and once.
    const body = /let patches;[\s\S]*?\}\);/.exec(patched)![0]
    const diff = vi.fn(() => ['p'])
    const emitted: Array<{ patches: unknown }> = []
    const run = new Function('A', 'after', 'beforeHeads', 'afterHeads', 'before', `${body}`).bind({ emit: (_: string, e: { patches: unknown }) => { emitted.push(e) } })
    run({ diff }, 'doc', ['h0'], ['h1'], 'old')
    expect(diff).not.toHaveBeenCalled()
    expect(emitted[0]!.patches).toEqual(['p'])
    expect(emitted[0]!.patches).toEqual(['p'])
    expect(diff).toHaveBeenCalledTimes(1)
    expect(diff).toHaveBeenCalledWith('doc', ['h0'], ['h1'])
  })

  it('fails loudly when the library code it changes is not there', () => {
    expect(() => patchDocHandle('export const x = 1')).toThrow(/found it 0 times/)
  })
})
