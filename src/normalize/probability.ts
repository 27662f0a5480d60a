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
