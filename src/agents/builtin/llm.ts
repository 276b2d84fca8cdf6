/**
 * The llm agent: answers a request with the OpenAI-compatible model the person configured
 * (ctx.llm). Without one configured it fails at once with an error saying how to set one up.
 *
 * Input (all optional): `system` (a system prompt replacing the default), `temperature`,
 * `maxTokens`, and `context` (text or JSON the answer should use, e.g. upstream results; any other
 * input fields are passed as context too).
 */
import type { AgentContext, AgentResult, AgentTask, ChatRequest } from '../types.ts'
import { inputNumber, inputRecord, inputText } from './task-input.ts'

export const DEFAULT_SYSTEM_PROMPT = 'You are a helpful assistant in Meshwork, a mesh of cooperating agents. Answer the request directly and concisely. If you are not sure, say so.'
/** Characters of context passed to the model. */
const MAX_CONTEXT = 16_000
const OWN_FIELDS = new Set(['system', 'temperature', 'maxTokens', 'context'])

export async function handler (task: AgentTask, ctx: AgentContext): Promise<AgentResult> {
  ctx.signal.throwIfAborted()
  if (!ctx.llmAvailable) {
    throw new Error('llm: no language model endpoint is configured; set an OpenAI-compatible endpoint (e.g. Ollama at http://localhost:11434/v1, LM Studio at http://localhost:1234/v1) and a model in the settings')
  }
  const request = task.text.trim()
  if (request === '') throw new Error('llm: the request is empty')
  const temperature = inputNumber(task.input, 'temperature', 'llm')
  if (temperature !== undefined && (temperature < 0 || temperature > 2)) throw new Error(`llm: input.temperature must be between 0 and 2, got ${temperature}`)
  const maxTokens = inputNumber(task.input, 'maxTokens', 'llm')
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) throw new Error(`llm: input.maxTokens must be a positive whole number, got ${maxTokens}`)

  const context = contextText(task.input)
  const messages: ChatRequest['messages'] = [
    { role: 'system', content: inputText(task.input, 'system') ?? DEFAULT_SYSTEM_PROMPT },
    { role: 'user', content: context === undefined ? request : `${request}\n\nContext:\n${context}` }
  ]
  const chat: ChatRequest = { messages }
  if (temperature !== undefined) chat.temperature = temperature
  if (maxTokens !== undefined) chat.maxTokens = maxTokens

  ctx.progress(0.1, 'waiting for the language model')
  const response = await ctx.llm(chat)
  ctx.signal.throwIfAborted()
  const text = response.text.trim()
  if (text === '') throw new Error(`llm: the model ${response.model} returned an empty answer`)
  const working = [`model: ${response.model}`]
  if (response.usage !== undefined) working.push(`tokens: ${response.usage.promptTokens} in, ${response.usage.completionTokens} out`)
  if (context !== undefined) working.push(`context passed: ${context.length} characters`)
  ctx.progress(1)
  return { text, output: text, working }
}

/** `input.context` and any other input fields (e.g. upstream outputs), as text for the prompt. */
function contextText (input: unknown): string | undefined {
  const record = inputRecord(input)
  const parts: string[] = []
  const given = record.context
  if (typeof given === 'string' && given.trim() !== '') parts.push(given.trim())
  else if (given !== undefined) parts.push(JSON.stringify(given, null, 2))
  const rest = Object.fromEntries(Object.entries(record).filter(([k]) => !OWN_FIELDS.has(k)))
  if (Object.keys(rest).length > 0) parts.push(JSON.stringify(rest, null, 2))
  if (parts.length === 0) return undefined
  const text = parts.join('\n\n')
  return text.length > MAX_CONTEXT ? `${text.slice(0, MAX_CONTEXT)}… (truncated)` : text
}
