// SIF ("smooth inverse frequency", Arora, Liang & Ma 2017) folded into a word-vector table.
// Mean pooling of the rewritten rows then equals the SIF sentence embedding: the weighting is per word,
// and removing the common component is a linear projection, so both commute with the mean.

/**
 * Unigram probability estimated from frequency rank by Zipf's law, p(r) = 1 / (r * H_N), r 1-based.
 * The word-vector package has no counts, only the order. N is the GloVe 6B vocabulary size.
 * @param {number} rank 0-based
 */
export function zipfProbability(rank, vocabularySize = 400_000) {
  const harmonic = Math.log(vocabularySize) + 0.5772156649
  return 1 / ((rank + 1) * harmonic)
}

/** SIF weight a / (a + p(w)). @param {number} p @param {number} a */
export function sifWeight(p, a = 1e-3) {
  return a / (a + p)
}

/**
 * First principal direction of the (uncentered) second moment of SIF sentence vectors, computed in
 * closed form instead of from a corpus: a sentence is modelled as `sentenceLength` words drawn
 * i.i.d. from p, so E[s sᵀ] = (1/n)·Σ p·x xᵀ + (1 − 1/n)·μ μᵀ with μ = Σ p·x and x the weighted rows.
 * @param {Float32Array} rows row-major weighted vectors, `dims` per row
 * @param {Float64Array} probabilities p per row (need not sum to 1; renormalized here)
 * @param {number} dims
 */
export function commonComponent(rows, probabilities, dims, sentenceLength = 10) {
  const count = probabilities.length
  let total = 0
  for (let r = 0; r < count; r++) total += /** @type {number} */ (probabilities[r])
  const mean = new Float64Array(dims)
  const second = new Float64Array(dims * dims)
  for (let r = 0; r < count; r++) {
    const p = /** @type {number} */ (probabilities[r]) / total
    const base = r * dims
    for (let i = 0; i < dims; i++) {
      const xi = /** @type {number} */ (rows[base + i]) * p
      mean[i] += xi
      const rowI = i * dims
      for (let j = 0; j < dims; j++) second[rowI + j] += xi * /** @type {number} */ (rows[base + j])
    }
  }
  const n = sentenceLength
  for (let i = 0; i < dims; i++) {
    for (let j = 0; j < dims; j++) {
      second[i * dims + j] = second[i * dims + j] / n + (1 - 1 / n) * mean[i] * mean[j]
    }
  }
  return topEigenvector(second, dims)
}

/** Power iteration on a symmetric positive semi-definite matrix. */
function topEigenvector(/** @type {Float64Array} */ m, /** @type {number} */ dims) {
  let v = new Float64Array(dims).fill(1 / Math.sqrt(dims))
  for (let iter = 0; iter < 500; iter++) {
    const next = new Float64Array(dims)
    for (let i = 0; i < dims; i++) {
      let s = 0
      for (let j = 0; j < dims; j++) s += m[i * dims + j] * v[j]
      next[i] = s
    }
    let norm = 0
    for (let i = 0; i < dims; i++) norm += next[i] * next[i]
    norm = Math.sqrt(norm)
    let delta = 0
    for (let i = 0; i < dims; i++) {
      next[i] /= norm
      delta += Math.abs(next[i] - v[i])
    }
    v = next
    if (delta < 1e-12) break
  }
  return v
}

/** In place: row ← row − (row·u) u for every row. */
export function projectOut(/** @type {Float32Array} */ rows, /** @type {Float64Array} */ u, /** @type {number} */ dims) {
  for (let base = 0; base < rows.length; base += dims) {
    let dot = 0
    for (let i = 0; i < dims; i++) dot += /** @type {number} */ (rows[base + i]) * u[i]
    for (let i = 0; i < dims; i++) rows[base + i] -= dot * u[i]
  }
}

/**
 * Symmetric per-row int8 quantization: q = round(v / scale), scale = max|v| / 127.
 * @param {Float32Array} rows @param {number} dims
 */
export function quantizeRows(rows, dims) {
  const count = rows.length / dims
  const q = new Int8Array(rows.length)
  const scales = new Float32Array(count)
  for (let r = 0; r < count; r++) {
    const base = r * dims
    let max = 0
    for (let i = 0; i < dims; i++) max = Math.max(max, Math.abs(/** @type {number} */ (rows[base + i])))
    const scale = max / 127
    scales[r] = scale
    if (scale === 0) continue
    for (let i = 0; i < dims; i++) q[base + i] = Math.round(/** @type {number} */ (rows[base + i]) / scale)
  }
  return { q, scales }
}
