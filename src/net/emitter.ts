/** A small typed event emitter: `on` returns the function that unsubscribes. Listener errors are contained. */
export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(e: any) => void>>()

  on<K extends keyof Events> (type: K, fn: (e: Events[K]) => void): () => void {
    let set = this.listeners.get(type)
    if (set === undefined) { set = new Set(); this.listeners.set(type, set) }
    set.add(fn)
    return () => { set.delete(fn) }
  }

  emit<K extends keyof Events> (type: K, e: Events[K]): void {
    for (const fn of this.listeners.get(type) ?? []) {
      try { fn(e) } catch (err) { console.error(`listener for ${String(type)} failed`, err) }
    }
  }
}
