/** Shared shapes of the normalizer: every stage takes text and returns text plus what it changed. */

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

export const SCRIPTS = ['hans', 'hant', 'tw', 'hk'] as const;
export type Script = (typeof SCRIPTS)[number];

/** One change the normalizer made; `paragraph` indexes the record's `paragraphs`. */
export interface Repair {
  kind: RepairKind;
  paragraph: number;
  before: string;
  after: string;
  /** 0..1: how sure the model is that `after` is what the page said. */
  confidence: number;
}

/** A repair before it is placed in a document: the stage does not know the paragraph index. */
export type TextRepair = Omit<Repair, 'paragraph'>;

/** Where a word may be missing: an offset into a paragraph's text. */
export interface Gap {
  offset: number;
  /**
   * `marked`: a space showed it; `unmarked`: only the shape of the line suggests it (a heading
   * ending in 的); `frame`: grammar does (a 在 frame nothing closes, `在…的_保护用户`).
   */
  evidence: 'marked' | 'unmarked' | 'frame';
  /** A marked gap that also leaves a 在 frame open: it lost the frame's closer. */
  inFrame?: true;
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

/** A problem a stage left in place, by UTF-16 offsets into the text the stage returned. */
export interface UnresolvedSpan {
  kind: UnresolvedKind;
  start: number;
  end: number;
}

/** What a text stage returns: the new text, each change, and problems it saw but left alone. */
export interface StageOutput {
  text: string;
  repairs: TextRepair[];
  flags: string[];
  /** Where garbled text was left as it is: later stages must not touch it. */
  unresolved?: UnresolvedSpan[];
  /** Possible gaps in the returned text (only the last stage that reports them may do so). */
  gaps?: Gap[];
}

export function unchanged(text: string): StageOutput {
  return { text, repairs: [], flags: [] };
}
