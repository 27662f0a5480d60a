/**
 * What a candidate character is worth apart from words: the language model prices all punctuation
 * alike, folds Traditional to Simplified (斷 and 断 score alike) and knows nothing of symbols. When
 * the engine picks a lost byte, these priors (log-odds, added to the model's score) say what a
 * character of Chinese prose is likely to be at that place.
 */
import { hasTraditionalOnly, isSimplifiedOnly, isTraditionalOnly } from '../script/char-fold.js';

/** Closing punctuation → its opening partner. */
const CLOSERS: Record<string, string> = {
  '”': '“',
  '’': '‘',
  '）': '（',
  '》': '《',
  '」': '「',
  '』': '『',
  '】': '【',
};
/** A paragraph usually ends in 。, an FAQ heading in ？ or ：, and ， 。 、 are the most frequent
 * inside one. */
const END_PUNCTUATION: Record<string, number> = { '。': 2, '？': 1.5, '：': 1, '！': 0.5 };
const MID_PUNCTUATION: Record<string, number> = { '，': 1, '。': 0.5, '、': 0.5 };
/** Punctuation and symbols Chinese prose uses; anything else that is not Han is unlikely there. */
const PROSE_SYMBOLS = new Set('，。、；：？！“”‘’（）《》「」『』【】—…·％－／～＋＝﹪');
/** A character that is neither Han nor prose punctuation (ǎ, α, ┼, ｂ): possible, rarely right. */
const NOT_PROSE = 6;
/** A character of the other script than its context's costs this much… */
const SCRIPT_MISMATCH = 3;
/** …and one of the context's own script earns this much (enough to break a tie, not to outvote a word). */
const SCRIPT_MATCH = 0.5;

const HAN = /\p{Script=Han}/u;

export interface PriorContext {
  /** Text before the place, for an opening bracket a closer would close. */
  before: string;
  /** Text around the place, for its script… */
  context: string;
  /** …or its script already known (the context holds Traditional-only characters): a paragraph
   * asked about a hundred candidates is read once. */
  traditional?: boolean;
  /** The place ends the paragraph. */
  atEnd: boolean;
}

/** Whether `text` holds characters only Traditional writes. */
export function isTraditionalContext(text: string): boolean {
  return hasTraditionalOnly(text);
}

/** `char` closes a bracket or quote that `before` left open. */
export function closesOpener(char: string, before: string): boolean {
  const opener = CLOSERS[char];
  return opener !== undefined && before.lastIndexOf(opener) > before.lastIndexOf(char);
}

/**
 * The closers that `before` leaves something open for: all that `closesOpener` and so `charPrior`
 * read of `before`, as a key for remembering what they gave.
 */
export function closersOpenAfter(before: string): string {
  let open = '';
  for (const closer in CLOSERS) if (closesOpener(closer, before)) open += closer;
  return open;
}

/** What `charPrior` needs to know of a character whatever its place, worked out once a character. */
interface CharKind {
  han: boolean;
  /** The prior of a character that is not Han (a symbol or a letter). */
  notHanPrior: number;
  traditionalOnly: boolean;
  simplifiedOnly: boolean;
}

/** Kinds of BMP characters by code unit, of the others by the character. */
const bmpKinds: (CharKind | undefined)[] = new Array(0x10000);
const kinds = new Map<string, CharKind>();

function kindOf(char: string): CharKind {
  const bmp = char.length === 1;
  let kind = bmp ? bmpKinds[char.charCodeAt(0)] : kinds.get(char);
  if (!kind) {
    const han = HAN.test(char);
    kind = {
      han,
      notHanPrior: han || PROSE_SYMBOLS.has(char) || /^[0-9A-Za-z]$/.test(char) ? 0 : -NOT_PROSE,
      traditionalOnly: han && isTraditionalOnly(char),
      simplifiedOnly: han && isSimplifiedOnly(char),
    };
    if (bmp) bmpKinds[char.charCodeAt(0)] = kind;
    else kinds.set(char, kind);
  }
  return kind;
}

/** Log-odds of `char` at a place in Chinese prose, beyond what the language model says. */
export function charPrior(char: string, place: PriorContext): number {
  if (CLOSERS[char]) return closesOpener(char, place.before) ? 2 : 0;
  const punctuation = (place.atEnd ? END_PUNCTUATION : MID_PUNCTUATION)[char];
  if (punctuation !== undefined) return punctuation;
  const kind = kindOf(char);
  if (!kind.han) return kind.notHanPrior;
  const traditional = place.traditional ?? isTraditionalContext(place.context);
  if (kind.traditionalOnly) return traditional ? SCRIPT_MATCH : -SCRIPT_MISMATCH;
  if (kind.simplifiedOnly && traditional) return -SCRIPT_MISMATCH;
  return 0;
}
