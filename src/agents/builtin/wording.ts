/** Small pieces of English the built-ins' answers share. */

/** "1 task", "3 tasks"; `many` for a plural that is not `one` + "s". */
export function plural (n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

/** "2, 4 and 9"; one item alone; "" for none. */
export function listed (items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`
}

/** `text` with its first letter upper-case: "the answering tab ..." opening a sentence. */
export function capitalised (text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
