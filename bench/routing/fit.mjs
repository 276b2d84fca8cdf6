// Tuning helpers of bench:routing (`--fit`). Pure functions over routed texts; they never see the test split
// because bench/routing.mjs hands them only the dev split's parts.

/**
 * Multinomial logistic (softmax) regression of the combined score's weights: every in-scope text's scores
 * against every skill are feature vectors (centroid cosine, best-row cosine, lexical), and the weights make
 * the right skill's weighted sum the softmax winner. Full-batch gradient descent with L2; returns the
 * weights scaled to sum 1 (the scale only sets the softmax's temperature, not the ranking).
 *
 * @param {{ features: number[][], label: number }[]} samples  features[skill][feature]; label = the right skill's index
 * @param {{ l2?: number, steps?: number, rate?: number }} [options]
 */
export function fitSoftmaxWeights (samples, { l2 = 1e-3, steps = 3000, rate = 2 } = {}) {
  const f = samples[0].features[0].length
  const w = new Array(f).fill(0)
  for (let step = 0; step < steps; step++) {
    const grad = new Array(f).fill(0)
    for (const { features, label } of samples) {
      const z = features.map(x => x.reduce((s, xi, i) => s + xi * w[i], 0))
      const max = Math.max(...z)
      const e = z.map(v => Math.exp(v - max))
      const sum = e.reduce((a, b) => a + b, 0)
      features.forEach((x, j) => { for (let i = 0; i < f; i++) grad[i] += (e[j] / sum) * x[i] })
      for (let i = 0; i < f; i++) grad[i] -= features[label][i]
    }
    for (let i = 0; i < f; i++) w[i] -= rate * (grad[i] / samples.length + l2 * w[i])
  }
  const total = w.reduce((a, b) => a + Math.abs(b), 0)
  return w.map(x => x / total)
}

/**
 * Accuracy figures of routed texts under the abstain rule "bid iff top score >= threshold".
 * @param {{ label: string|null, top: string|null, score: number }[]} routed
 */
export function metrics (routed, threshold) {
  const inScope = routed.filter(r => r.label !== null)
  const oos = routed.filter(r => r.label === null)
  const bids = r => r.score >= threshold
  const oosAbstained = oos.filter(r => !bids(r)).length
  const correct = oosAbstained + inScope.filter(r => bids(r) && r.top === r.label).length
  return {
    n: routed.length,
    inScope: inScope.length,
    oos: oos.length,
    top1: inScope.filter(r => r.top === r.label).length / inScope.length,
    oosRecall: oosAbstained / oos.length,
    falseAbstain: inScope.filter(r => !bids(r)).length / inScope.length,
    overall: correct / routed.length
  }
}

/** The threshold with the best overall accuracy among those keeping out-of-scope recall >= `minOosRecall`. */
export function fitThreshold (routed, minOosRecall) {
  let best = null
  for (const th of [...new Set(routed.map(r => r.score))].sort((a, b) => a - b)) {
    const m = metrics(routed, th)
    if (m.oosRecall >= minOosRecall && (best === null || m.overall > best.m.overall)) best = { th, m }
  }
  return best.th
}
