/**
 * Detection: how much a text reads like Chinese, and whether it looks like a wrong decoding.
 * Kept apart from the repairs (as ftfy keeps `badness` apart from `fixes`): the charset detector,
 * the whole-text re-decodings and the garbled-run finder all ask these questions.
 */
import { isBadCode } from '../encoding/codecs.js';
import type { LanguageModel } from '../language-model.js';

/** Cost of U+FFFD, a private-use or a control character: worse than any character the model knows. */
export const BAD_CHAR_LOGP = -25;

export interface TextScore {
  /** Mean log-probability per scored (non-ASCII or bad) character; 0 when there is none. */
  mean: number;
  /** U+FFFD and control characters (not private use), over all characters seen. */
  undecodableRatio: number;
}

/**
 * How much `text` reads like Chinese. Printable ASCII is skipped: it decodes the same under every
 * ASCII-compatible charset and would only dilute the difference. Runs of other characters go to
 * the language model; U+FFFD, private-use and control characters cost `BAD_CHAR_LOGP` each.
 */
export function scoreText(text: string, lm: LanguageModel, maxChars = Number.POSITIVE_INFINITY): TextScore {
  let total = 0;
  let scored = 0;
  let seen = 0;
  let undecodable = 0;
  let run = '';
  let runLength = 0;
  const flush = () => {
    if (runLength === 0) return;
    total += lm.score(run);
    scored += runLength;
    run = '';
    runLength = 0;
  };
  for (const ch of text) {
    if (scored + runLength >= maxChars) break;
    seen++;
    const code = ch.codePointAt(0) as number;
    if (isBadCode(code)) {
      flush();
      total += BAD_CHAR_LOGP;
      scored++;
      if (code < 0xe000 || code > 0xf8ff) undecodable++;
    } else if (code < 0x80) {
      flush();
    } else {
      run += ch;
      runLength++;
    }
  }
  flush();
  return { mean: scored === 0 ? 0 : total / scored, undecodableRatio: seen === 0 ? 0 : undecodable / seen };
}

/** A Han character rarer than this is suspicious: 0.1% of clean characters, about half of mojibake. */
export const RARE_HAN_LOGP = -12;
/** Text is tried as mojibake when this share of its non-ASCII characters is suspicious. */
const SUSPICIOUS_RATIO = 0.15;
/** Clean Chinese averages about -7 nats a character; mojibake about -10.5. */
const UNCOMMON_MEAN_LOGP = -9.5;
const MIN_HAN_FOR_MEAN = 4;

const HAN = /\p{Script=Han}/u;
/** Tone letters outside Latin-1: leaked pinyin readings (`导(dǎo)`, another stage's fault) are full
 * of them, and no Latin-1 or Windows-1252 misreading makes them. */
const PINYIN_TONE_LETTERS = new Set('āǎēěīǐōǒūǔǖǘǚǜńňḿ');

/** What the gate asks of a character: its log-probability when it is Han, and whether it is suspicious. */
interface CharTraits {
  hanLogP: number | undefined;
  suspicious: boolean;
}

/** Traits of BMP characters by code unit, of the others by the character. */
const bmpTraits: (CharTraits | undefined)[] = new Array(0x10000);
const traitsCache = new Map<string, CharTraits>();

/**
 * Could this character come from a wrong decoding? Rare Han, kana, Greek, Cyrillic, box drawing,
 * accented Latin, private use and U+FFFD are what GBK, Big5 and Latin-1 make of foreign bytes;
 * common Han and CJK / full-width / general punctuation are what Chinese text is made of.
 * Computed once a character: the gate runs on every character of every line.
 */
function traitsOf(char: string, lm: LanguageModel): CharTraits {
  const bmp = char.length === 1;
  let traits = bmp ? bmpTraits[char.charCodeAt(0)] : traitsCache.get(char);
  if (traits === undefined) {
    const code = char.codePointAt(0) as number;
    const hanLogP = HAN.test(char) ? lm.charLogP(char) : undefined;
    const suspicious =
      hanLogP !== undefined
        ? hanLogP < RARE_HAN_LOGP
        : !(
            (code >= 0x2000 && code <= 0x206f) ||
            (code >= 0x3000 && code <= 0x303f) ||
            (code >= 0xff00 && code <= 0xffef) ||
            code === 0xfffc ||
            PINYIN_TONE_LETTERS.has(char)
          );
    traits = { hanLogP, suspicious };
    if (bmp) bmpTraits[char.charCodeAt(0)] = traits;
    else traitsCache.set(char, traits);
  }
  return traits;
}

/** The cheap gate: clean Chinese has almost no suspicious characters, mojibake is full of them. */
export function looksMisdecoded(text: string, lm: LanguageModel): boolean {
  let nonAscii = 0;
  let suspicious = 0;
  let han = 0;
  let hanLogP = 0;
  for (const ch of text) {
    if ((ch.codePointAt(0) as number) < 0x80) continue;
    nonAscii++;
    const traits = traitsOf(ch, lm);
    if (traits.suspicious) suspicious++;
    if (traits.hanLogP !== undefined) {
      han++;
      hanLogP += traits.hanLogP;
    }
  }
  if (suspicious > 0 && suspicious >= nonAscii * SUSPICIOUS_RATIO) return true;
  // Mojibake of common words is made of merely uncommon characters (杩樻鏂瑰紡 for 还款方式): a run
  // whose average character is that uncommon is worth the full test, which protects clean text.
  return han >= MIN_HAN_FOR_MEAN && hanLogP / han < UNCOMMON_MEAN_LOGP;
}
