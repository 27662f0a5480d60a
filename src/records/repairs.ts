/** What a clean record says about its text: the repairs made, and the problems left in place. */

export const REPAIR_KINDS = [
  'pinyin',
  'mojibake',
  'missing-word',
  'punctuation',
  'script',
  'boilerplate',
  'charset',
  'html',
] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

/** One change the normalizer made; `paragraph` indexes the record's `paragraphs`. */
export interface Repair {
  kind: RepairKind;
  paragraph: number;
  before: string;
  after: string;
  /** 0..1: how sure the model is that `after` is what the page said. */
  confidence: number;
}

/** Problems the record lists with their place (CONTRACT.md `unresolved`); each is also a flag. */
export const UNRESOLVED_KINDS = ['unrepaired-mojibake', 'possible-gap'] as const;
export type UnresolvedKind = (typeof UNRESOLVED_KINDS)[number];

/** A problem left in place in a record: `paragraph` indexes `paragraphs` (-1: the title). */
export interface Unresolved {
  kind: UnresolvedKind;
  paragraph: number;
  /** Offsets in characters (Unicode code points) of the published paragraph, end exclusive. */
  start: number;
  end: number;
}
