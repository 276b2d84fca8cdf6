// A minimal ONNX protobuf writer: just the messages and fields the embedding graph needs.
// Field numbers follow onnx/onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto).
// Hand-rolled so the model build needs neither Python nor a protobuf dependency.

/** ONNX TensorProto.DataType values used here. */
export const DataType = Object.freeze({ FLOAT: 1, INT8: 3, INT64: 7 })

const WIRE_VARINT = 0
const WIRE_LEN = 2

/** Appends protobuf fields to a list of byte chunks; `bytes()` concatenates them. */
class Message {
  /** @type {Uint8Array[]} */
  #chunks = []
  #length = 0

  #push(/** @type {Uint8Array} */ chunk) {
    this.#chunks.push(chunk)
    this.#length += chunk.length
  }

  #tag(/** @type {number} */ field, /** @type {number} */ wire) {
    this.#push(varint(field * 8 + wire))
  }

  /** int32/int64/enum field (non-negative values only: nothing here needs negatives). */
  int(/** @type {number} */ field, /** @type {number} */ value) {
    this.#tag(field, WIRE_VARINT)
    this.#push(varint(value))
    return this
  }

  string(/** @type {number} */ field, /** @type {string} */ value) {
    return this.raw(field, new TextEncoder().encode(value))
  }

  raw(/** @type {number} */ field, /** @type {Uint8Array} */ value) {
    this.#tag(field, WIRE_LEN)
    this.#push(varint(value.length))
    this.#push(value)
    return this
  }

  message(/** @type {number} */ field, /** @type {Message} */ value) {
    return this.raw(field, value.bytes())
  }

  /** Packed repeated int64 (proto3 default packing, accepted by ONNX parsers). */
  packedInts(/** @type {number} */ field, /** @type {number[]} */ values) {
    return this.raw(field, concat(values.map(varint)))
  }

  bytes() {
    return concat(this.#chunks, this.#length)
  }
}

function varint(/** @type {number} */ value) {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`)
  const out = []
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80)
    value = Math.floor(value / 0x80)
  }
  out.push(value)
  return Uint8Array.from(out)
}

function concat(/** @type {Uint8Array[]} */ chunks, length = chunks.reduce((n, c) => n + c.length, 0)) {
  const out = new Uint8Array(length)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

/**
 * A tensor-typed graph input/output. `shape` entries are numbers (fixed) or strings (symbolic).
 * @param {string} name @param {number} elemType @param {(number|string)[]} shape
 */
export function valueInfo(name, elemType, shape) {
  const shapeMsg = new Message()
  for (const d of shape) {
    shapeMsg.message(1, typeof d === 'number' ? new Message().int(1, d) : new Message().string(2, d))
  }
  const tensorType = new Message().int(1, elemType).message(2, shapeMsg)
  return new Message().string(1, name).message(2, new Message().message(1, tensorType))
}

/**
 * An initializer stored as raw little-endian bytes.
 * @param {string} name @param {number} dataType @param {number[]} dims @param {ArrayBufferView} data
 */
export function tensor(name, dataType, dims, data) {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return new Message().packedInts(1, dims).int(2, dataType).string(8, name).raw(9, bytes)
}

/**
 * @param {string} opType @param {string[]} inputs @param {string[]} outputs @param {string} name
 * @param {Record<string, number>} [intAttributes]
 */
export function node(opType, inputs, outputs, name, intAttributes = {}) {
  const m = new Message()
  for (const i of inputs) m.string(1, i)
  for (const o of outputs) m.string(2, o)
  m.string(3, name).string(4, opType)
  for (const [key, value] of Object.entries(intAttributes)) {
    // AttributeProto: name=1, i=3, type=20 (INT=2)
    m.message(5, new Message().string(1, key).int(3, value).int(20, 2))
  }
  return m
}

/**
 * Serializes a ModelProto with one graph and the default-domain opset.
 * @param {{ name: string, nodes: Message[], initializers: Message[], inputs: Message[], outputs: Message[],
 *   opset: number, irVersion: number, producer: string, producerVersion: string, docString?: string }} spec
 * @returns {Uint8Array}
 */
export function encodeModel(spec) {
  const graph = new Message()
  for (const n of spec.nodes) graph.message(1, n)
  graph.string(2, spec.name)
  for (const t of spec.initializers) graph.message(5, t)
  if (spec.docString) graph.string(10, spec.docString)
  for (const i of spec.inputs) graph.message(11, i)
  for (const o of spec.outputs) graph.message(12, o)

  const model = new Message()
    .int(1, spec.irVersion)
    .string(2, spec.producer)
    .string(3, spec.producerVersion)
    .message(7, graph)
    .message(8, new Message().string(1, '').int(2, spec.opset))
  return model.bytes()
}
