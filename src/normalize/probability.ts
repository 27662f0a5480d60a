/** Small numeric helpers shared by the stages that rank candidates. */

/** Log-scores → probabilities that sum to one (numerically safe). */
export function softmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** A confidence as records show it: three decimals. */
export function roundConfidence(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Margin → confidence slope: a margin of 1 nat per character gives 0.88, 2 nats give 0.98. */
const MARGIN_SLOPE = 2;

/** How sure a choice is that wins by `margin` nats per character over its best rival (two decimals). */
export function confidenceFromMargin(margin: number): number {
  return Math.round((1 / (1 + Math.exp(-MARGIN_SLOPE * margin))) * 100) / 100;
}
