/**
 * A journal of what a tab's graph recorder may not have stored yet, so that a reload or a closed
 * tab loses none of it.
 *
 * The recorder gathers records for up to a second (eight when busy) and writes them as one graph
 * change; the graph worker then stores the change in IndexedDB a little later. A page that goes
 * away in between takes those records with it, and since each fact is recorded by one node only
 * (the steward its tasks, the producer its results...), nobody else writes them: the tasks ran, but
 * the graph would never show them. So every record also goes to this journal, which keeps it for
 * `keepMs` (30 s: the busy flush, the storage write and a sync round for records parked until a
 * peer's entity arrives); on `pagehide` the journal asks the recorder to flush and writes what it
 * keeps to `localStorage` (synchronous, so it survives the page), under a key naming the room and
 * the tab's peer id. A tab that opens with that identity (a reload gets its identity slot back,
 * identity.ts) replays the journal into its recorder and removes it. Recording is idempotent
 * (graph-recorder.ts: an entity, edge, line or attestation already in the graph is not written
 * again), so replaying records that did reach the graph changes nothing.
 *
 * Limits: a tab that crashes (no `pagehide`) still loses its last records; the journal holds at
 * most `maxRecords` records (the oldest go first) and `maxBytes` of JSON; reputation records are not
 * kept (they are not written to the graph). What storage returns is checked before it is replayed:
 * a malformed journal or entry is reported and skipped, never replayed.
 */
import type { GraphRecorder } from './graph-recorder.ts'

/** The part of the Web Storage API the journal uses (`localStorage` satisfies it). */
export interface JournalStorage {
  getItem (key: string): string | null
  setItem (key: string, value: string): void
  removeItem (key: string): void
}

/** The record kinds the journal keeps: every one that writes to the graph. */
export const JOURNALED = ['task', 'award', 'result', 'vote', 'verification', 'outcome', 'solution', 'consultation'] as const
export type JournaledKind = typeof JOURNALED[number]

export const JOURNAL_VERSION = 1
export const JOURNAL_KEY_PREFIX = 'meshwork:journal:'

/** The storage key of the journal of `peerId` in `room`. */
export const journalKey = (room: string, peerId: string): string => `${JOURNAL_KEY_PREFIX}${encodeURIComponent(room)}:${peerId}`

export interface RecordJournalOptions {
  storage: JournalStorage
  /** The storage key (see {@link journalKey}). */
  key: string
  /** How long a record is kept after it was recorded. Default 30,000 ms. */
  keepMs?: number
  /** Most records kept (the oldest are dropped first). Default 5,000. */
  maxRecords?: number
  /** Most JSON characters written to storage (the oldest records are left out first). Default 2,000,000. */
  maxChars?: number
  now?: () => number
  /**
   * A crash gives no `pagehide`: this long after a record (default 2,000 ms; 0: never) the journal
   * is also written to storage, without flushing the recorder, as long as it keeps at most
   * `autosaveMaxRecords` records (default 1,000): writing a busy tab's journal every few seconds
   * would cost it more than the records it might save.
   */
  autosaveMs?: number
  autosaveMaxRecords?: number
  /** A journal that could not be written or read, or an entry refused on replay, with the reason. */
  onProblem?: (message: string) => void
}

export interface RecordJournalStats {
  /** Records kept now. */
  kept: number
  /** Records dropped from memory before `keepMs` had passed, to stay within `maxRecords`. */
  dropped: number
  /** Times the journal was written to storage (on `persist`, and by autosave). */
  persisted: number
  /** Autosaves skipped because the journal held more than `autosaveMaxRecords`. */
  autosavesSkipped: number
  /** Records written the last time, and records kept but left out of that write (over `maxChars`, or storage full). */
  lastPersisted: number
  lastLeftOut: number
  /** Records replayed from a previous page, and entries refused. */
  replayed: number
  refused: number
}

export interface RecordJournal {
  /** The recorder to hand the engine: each record goes to the journal and on to the inner recorder. */
  readonly recorder: GraphRecorder
  /** Flushes the recorder and writes the records still kept to storage (call on `pagehide`). */
  persist (): void
  /**
   * Replays the journal an earlier page of this identity left, into the recorder, then removes it
   * from storage. Returns the records replayed and the entries refused.
   */
  replay (): { replayed: number, refused: number }
  /** Removes the journal from storage (a page shown again from the back-forward cache records on). */
  discard (): void
  stats (): RecordJournalStats
}

interface Entry { k: JournaledKind, r: unknown, at: number }

const isKind = (k: unknown): k is JournaledKind => (JOURNALED as readonly unknown[]).includes(k)

export function createRecordJournal (inner: GraphRecorder, options: RecordJournalOptions): RecordJournal {
  const { storage, key } = options
  const keepMs = options.keepMs ?? 30_000
  const maxRecords = options.maxRecords ?? 5_000
  const maxChars = options.maxChars ?? 2_000_000
  const now = options.now ?? Date.now
  const entries: Entry[] = []
  const autosaveMs = options.autosaveMs ?? 2_000
  const autosaveMaxRecords = options.autosaveMaxRecords ?? 1_000
  let autosave: ReturnType<typeof setTimeout> | undefined
  const s: RecordJournalStats = { kept: 0, dropped: 0, persisted: 0, lastPersisted: 0, lastLeftOut: 0, autosavesSkipped: 0, replayed: 0, refused: 0 }
  const problem = (message: string): void => {
    try { options.onProblem?.(message) } catch { /* a failing listener must not break recording */ }
  }

  const trim = (): void => {
    const oldest = now() - keepMs
    let cut = 0
    while (cut < entries.length && entries[cut]!.at < oldest) cut++
    const over = entries.length - cut - maxRecords
    if (over > 0) { cut += over; s.dropped += over }
    if (cut > 0) entries.splice(0, cut)
  }

  const keep = (k: JournaledKind, r: unknown): void => {
    entries.push({ k, r, at: now() })
    // Trimming is amortised: at most every 256 records, and always before a write to storage.
    if (entries.length % 256 === 0 || entries.length > maxRecords) trim()
    if (autosaveMs > 0 && autosave === undefined) {
      autosave = setTimeout(() => {
        autosave = undefined
        trim()
        if (entries.length > autosaveMaxRecords) { s.autosavesSkipped++; return }
        write()
      }, autosaveMs)
    }
  }

  /** Writes the records kept (trimmed) to storage, or removes the journal when there are none. */
  const write = (): void => {
    trim()
    if (entries.length === 0) {
      try { storage.removeItem(key) } catch { /* nothing to keep */ }
      s.lastPersisted = 0
      s.lastLeftOut = 0
      return
    }
    // Newest first within the size limit; stored oldest first (the order they are replayed in).
    const parts: string[] = []
    let chars = 0
    for (let i = entries.length - 1; i >= 0; i--) {
      let json: string
      try {
        json = JSON.stringify(entries[i])
      } catch (err) {
        problem(`journal: a ${entries[i]!.k} record cannot be kept (${(err as Error).message})`)
        continue
      }
      if (chars + json.length + 1 > maxChars) break
      parts.push(json)
      chars += json.length + 1
    }
    parts.reverse()
    // Storage is shared by every tab of the profile: when it is full, the newest half is tried,
    // then the newest quarter... (a few attempts), so the most recent records still get through.
    let stored = parts
    for (let attempt = 0; ; attempt++) {
      try {
        storage.setItem(key, `{"v":${JOURNAL_VERSION},"records":[${stored.join(',')}]}`)
        s.persisted++
        s.lastPersisted = stored.length
        s.lastLeftOut = entries.length - stored.length
        if (stored.length < parts.length) problem(`journal: storage took only the newest ${stored.length} of ${parts.length} records; a reload now loses the others`)
        return
      } catch (err) {
        if (attempt >= 4 || stored.length <= 1) {
          problem(`journal: could not write ${parts.length} records to storage (${(err as Error).message}); a reload now loses them`)
          s.lastLeftOut = entries.length
          return
        }
        stored = stored.slice(Math.ceil(stored.length / 2))
      }
    }
  }

  const through = <K extends JournaledKind>(k: K) => (r: Parameters<GraphRecorder[K]>[0]) => {
    keep(k, r)
    return (inner[k] as (r: unknown) => ReturnType<GraphRecorder[K]>)(r)
  }

  const recorder: GraphRecorder = {
    task: through('task'),
    award: through('award'),
    result: through('result'),
    vote: through('vote'),
    verification: through('verification'),
    outcome: through('outcome'),
    solution: through('solution'),
    consultation: through('consultation'),
    reputation: r => inner.reputation(r),
    flush: () => { inner.flush() },
    setFlushMs: (ms, busyMs) => { inner.setFlushMs(ms, busyMs) },
    stats: () => inner.stats(),
    recordedTask: (taskId, opts) => inner.recordedTask(taskId, opts),
    resultOf: (taskId, attempt) => inner.resultOf(taskId, attempt),
    close: () => {
      if (autosave !== undefined) { clearTimeout(autosave); autosave = undefined }
      inner.close()
    }
  }

  return {
    recorder,

    persist () {
      try { inner.flush() } catch { /* the journal is the fallback for exactly this */ }
      write()
    },

    replay () {
      let raw: string | null
      try {
        raw = storage.getItem(key)
      } catch (err) {
        problem(`journal: could not read it (${(err as Error).message})`)
        return { replayed: 0, refused: 0 }
      }
      if (raw === null) return { replayed: 0, refused: 0 }
      try { storage.removeItem(key) } catch { /* replayed at most once per page either way */ }
      let parsed: unknown
      try {
        parsed = JSON.parse(raw)
      } catch {
        s.refused++
        problem('journal: not JSON; nothing replayed')
        return { replayed: 0, refused: 1 }
      }
      const journal = parsed as { v?: unknown, records?: unknown }
      if (typeof parsed !== 'object' || parsed === null || journal.v !== JOURNAL_VERSION || !Array.isArray(journal.records)) {
        s.refused++
        problem(`journal: not a version ${JOURNAL_VERSION} journal; nothing replayed`)
        return { replayed: 0, refused: 1 }
      }
      let replayed = 0
      let refused = 0
      for (const [i, e] of (journal.records as unknown[]).entries()) {
        const entry = e as Partial<Entry> | null
        if (typeof entry !== 'object' || entry === null || !isKind(entry.k) || typeof entry.r !== 'object' || entry.r === null || Array.isArray(entry.r) || typeof entry.at !== 'number') {
          refused++
          problem(`journal: record ${i} is malformed; skipped`)
          continue
        }
        // Replayed records are journaled again, as if recorded now, in case this page goes too
        // before the recorder has written them.
        try {
          recorder[entry.k](entry.r as never)
          replayed++
        } catch (err) {
          refused++
          problem(`journal: record ${i} (${entry.k}) refused: ${(err as Error).message}`)
        }
      }
      s.replayed += replayed
      s.refused += refused
      return { replayed, refused }
    },

    discard () {
      try { storage.removeItem(key) } catch { /* nothing was kept */ }
    },

    stats: () => { trim(); return { ...s, kept: entries.length } }
  }
}
