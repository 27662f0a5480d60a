/**
 * Character statistics of a batch's text, as the learner and the filler ask for them: which
 * strings the sources write and how often. The learner takes its candidate words from the batch's
 * frequent strings, the filler asks whether two characters ever stand side by side, and a frame
 * gap's closer is counted after 的. (They are not used to score insertions: over a batch of similar
 * sites character statistics find `客服_进行` wanting because the others write `客服电话` often,
 * not because anything was cut.) The batch's text index serves them (`TextCorpus.view`): of every
 * source, or of every source but the one whose words are learned (its intact text).
 */
export interface NgramView {
  /** Characters counted. */
  readonly size: number;
  /** How often an exact string occurred. */
  count(gram: string): number;
}
