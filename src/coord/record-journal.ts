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
 * A crash gives no `pagehide`: the journal is also written a moment after a record (autosave). A
 * tab that never comes back with its identity leaves a journal for its room's other tabs in the
 * profile to adopt (`sweep`).
 *
 * Limits: a busy tab that crashes loses up to its last 8 s of records (autosave is skipped while
 * the journal is large); the journal holds at most `maxRecords` records (the oldest go first) and
 * `maxChars` of JSON; reputation records are not kept (they are not written to the graph). What
 * storage returns is checked before it is replayed: a malformed journal or entry is reported and
 * skipped, never replayed.
 */
import type { GraphRecorder } from './graph-recorder.ts'

/** The part of the Web Storage API the journal uses (`localStorage` satisfies it). */
export interface JournalStorage {
  getItem (key: string): string | null
  setItem (key: string, value: string): void
  removeItem (key: string): void
  /** Enumeration (as `localStorage` has it), for finding other tabs' journals; without it only this tab's journal is read. */
  readonly length?: number
  key? (index: number): string | null
}

/** The record kinds the journal keeps: every one that writes to the graph. */
export const JOURNALED = ['task', 'award', 'result', 'vote', 'verification', 'outcome', 'solution', 'consultation'] as const
export type JournaledKind = typeof JOURNALED[number]

export const JOURNAL_VERSION = 1
export const JOURNAL_KEY_PREFIX = 'meshwork:journal:'

/** The storage key of the journal of `peerId` in `room`. */
export const journalKey = (room: string, peerId: string): string => `${JOURNAL_KEY_PREFIX}${encodeURIComponent(room)}:${peerId}`

/** The room and peer id a journal key names, or undefined if it is not one. */
export function parseJournalKey (key: string): { room: string, peerId: string } | undefined {
  if (!key.startsWith(JOURNAL_KEY_PREFIX)) return undefined
  const rest = key.slice(JOURNAL_KEY_PREFIX.length)
  const colon = rest.lastIndexOf(':')
  if (colon <= 0 || colon === rest.length - 1) return undefined
  try {
    return { room: decodeURIComponent(rest.slice(0, colon)), peerId: rest.slice(colon + 1) }
  } catch {
    return undefined
  }
}

/** What a sweep of the other tabs' journals did (see {@link RecordJournal.sweep}). */
export interface SweepResult {
  /** Journals of this room's departed peers replayed here (and removed). */
  adopted: number
  /** Records they held, replayed, and entries refused. */
  replayed: number
  refused: number
  /** Journals of other rooms removed because nobody had opened those rooms for `maxAgeMs`. */
  expired: number
  /** Records those held (lost: nobody reopened their rooms). */
  expiredRecords: number
}

export interface SweepOptions {
  /** This tab's room: only its journals are adopted. */
  room: string
  /** Whether a peer is present in the room now: a present peer's journal is its own business. */
  live: (peerId: string) => boolean
  /** A journal younger than this is left to its own tab, which may be reloading (default 60,000 ms). */
  minAgeMs?: number
  /** A journal of another room older than this is removed (default 7 days). */
  maxAgeMs?: number
  /** Whether to look at other rooms' journals at all (default true; reading them costs a parse each). */
  otherRooms?: boolean
}

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
  /**
   * A journal that could not be written or read, or an entry refused on replay, with the reason;
   * `reason` 'expired' for another room's journal removed by a sweep.
   */
  onProblem?: (message: string, reason?: 'expired') => void
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
  /** Records replayed from a previous page (or adopted from a departed peer's journal), and entries refused. */
  replayed: number
  refused: number
  /** Departed peers' journals of this room adopted, and other rooms' journals expired (see {@link RecordJournal.sweep}). */
  adopted: number
  expired: number
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
  /**
   * Looks at the other journals in storage (every tab of the browser profile shares it). A journal
   * of this room whose peer is gone (not present, and not written for `minAgeMs`: a crashed tab, or
   * one closed while its room stayed open elsewhere, that will not come back with its identity) is
   * replayed here and removed: recording is idempotent, so whoever writes the records, they reach
   * the graph once. A journal of another room that nobody opened for `maxAgeMs` is removed and
   * reported, so stale journals do not fill the storage the live ones need. Malformed journals are
   * refused (and removed) with the reason.
   */
  sweep (options: SweepOptions): SweepResult
  /** Removes the journal from storage (a page shown again from the back-forward cache records on). */
  discard (): void
  stats (): RecordJournalStats
}

interface Entry { k: JournaledKind, r: unknown, at: number }

/** A stored journal's records (not yet checked one by one) and when it was written, or why it is not one. */
function parseJournal (raw: string): { records: unknown[], at?: number } | { error: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return { error: 'not JSON' }
  }
  const journal = parsed as { v?: unknown, at?: unknown, records?: unknown }
  if (typeof parsed !== 'object' || parsed === null || journal.v !== JOURNAL_VERSION || !Array.isArray(journal.records)) return { error: `not a version ${JOURNAL_VERSION} journal` }
  if (journal.at !== undefined && (typeof journal.at !== 'number' || !Number.isFinite(journal.at))) return { error: 'its time is not a number' }
  return journal.at === undefined ? { records: journal.records } : { records: journal.records, at: journal.at }
}

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
  const s: RecordJournalStats = { kept: 0, dropped: 0, persisted: 0, lastPersisted: 0, lastLeftOut: 0, autosavesSkipped: 0, replayed: 0, refused: 0, adopted: 0, expired: 0 }
  const problem = (message: string, reason?: 'expired'): void => {
    try { options.onProblem?.(message, reason) } catch { /* a failing listener must not break recording */ }
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
        storage.setItem(key, `{"v":${JOURNAL_VERSION},"at":${now()},"records":[${stored.join(',')}]}`)
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

  /** Replays stored records into the recorder (journaling them again, as if recorded now). */
  const replayRecords = (records: unknown[], what: string): { replayed: number, refused: number } => {
    let replayed = 0
    let refused = 0
    for (const [i, e] of records.entries()) {
      const entry = e as Partial<Entry> | null
      if (typeof entry !== 'object' || entry === null || !isKind(entry.k) || typeof entry.r !== 'object' || entry.r === null || Array.isArray(entry.r) || typeof entry.at !== 'number') {
        refused++
        problem(`${what}: record ${i} is malformed; skipped`)
        continue
      }
      // Replayed records are journaled again, as if recorded now, in case this page goes too
      // before the recorder has written them.
      try {
        recorder[entry.k](entry.r as never)
        replayed++
      } catch (err) {
        refused++
        problem(`${what}: record ${i} (${entry.k}) refused: ${(err as Error).message}`)
      }
    }
    s.replayed += replayed
    s.refused += refused
    return { replayed, refused }
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
    awardOf: (taskId, attempt) => inner.awardOf(taskId, attempt),
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
      const parsed = parseJournal(raw)
      if ('error' in parsed) {
        s.refused++
        problem(`journal: ${parsed.error}; nothing replayed`)
        return { replayed: 0, refused: 1 }
      }
      return replayRecords(parsed.records, 'journal')
    },

    sweep (o) {
      const out: SweepResult = { adopted: 0, replayed: 0, refused: 0, expired: 0, expiredRecords: 0 }
      if (typeof storage.key !== 'function' || typeof storage.length !== 'number') return out
      const minAgeMs = o.minAgeMs ?? 60_000
      const maxAgeMs = o.maxAgeMs ?? 7 * 24 * 3600_000
      const keys: string[] = []
      try {
        for (let i = 0; i < storage.length; i++) {
          const k = storage.key(i)
          if (k !== null && k !== key && k.startsWith(JOURNAL_KEY_PREFIX)) keys.push(k)
        }
      } catch (err) {
        problem(`journal: could not list storage (${(err as Error).message})`)
        return out
      }
      for (const k of keys) {
        const owner = parseJournalKey(k)
        // A key this version cannot read may be a newer version's: left alone.
        if (owner === undefined) continue
        const mine = owner.room === o.room
        // A present peer's journal is its own (its autosave keeps writing it): not even read.
        if (mine ? o.live(owner.peerId) : o.otherRooms === false) continue
        let raw: string | null
        try { raw = storage.getItem(k) } catch { continue }
        if (raw === null) continue
        const parsed = parseJournal(raw)
        if ('error' in parsed) {
          // Only this room's are ours to judge; another room's tab may be of a newer version.
          if (mine) {
            try { storage.removeItem(k) } catch { /* it stays refused */ }
            s.refused++
            out.refused++
            problem(`journal of departed peer ${owner.peerId.slice(-8)}: ${parsed.error}; removed, nothing replayed`)
          }
          continue
        }
        // Journals written before they carried a time count as old here (their tab is long gone),
        // but are never expired: nothing says how old they are.
        const age = parsed.at === undefined ? Infinity : now() - parsed.at
        if (mine) {
          if (age < minAgeMs) continue
          try { storage.removeItem(k) } catch { continue }
          const r = replayRecords(parsed.records, `journal of departed peer ${owner.peerId.slice(-8)}`)
          s.adopted++
          out.adopted++
          out.replayed += r.replayed
          out.refused += r.refused
        } else if (parsed.at !== undefined && age > maxAgeMs) {
          try { storage.removeItem(k) } catch { continue }
          s.expired++
          out.expired++
          out.expiredRecords += parsed.records.length
          problem(`journal of room ${JSON.stringify(owner.room.slice(0, 60))} (peer ${owner.peerId.slice(-8)}): ${parsed.records.length} records nobody replayed in ${Math.round(age / 86_400_000)} days; removed`, 'expired')
        }
      }
      return out
    },

    discard () {
      try { storage.removeItem(key) } catch { /* nothing was kept */ }
    },

    stats: () => { trim(); return { ...s, kept: entries.length } }
  }
}
