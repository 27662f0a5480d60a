/**
 * Look-ups into jieba's dictionary that restoring deleted words needs: the words that start with
 * a given text or end with it (does the gap complete a compound, as `騷擾` + `電話`?), and the
 * usual next character of a character (`問` is mostly `問題`).
 *
 * Built from the language model's dictionary once, at build time (`npm run build` runs
 * `scripts/build-dictionary-files.mjs`), into `dist/dictionary-index.bin`: sorted words as one
 * text and typed arrays, loaded with one read in tens of milliseconds by every process and worker
 * thread. Without that file it is built in memory on first use (about two seconds), and says so.
 */
import { fileURLToPath } from 'node:url';
import { readArraysFile, writeArraysFile } from '../binary-file.js';
import {
  dictionaryVersion,
  type LanguageModel,
  languageModel,
  staleDictionaryFile,
} from '../language-model.js';

const HAN = /^\p{Script=Han}+$/u;
/** Two-character words rarer than this do not count as a character's usual continuation. */
const MIN_CONTINUATION_FREQUENCY_LOGP = Math.log(1000 / 60_000_000);

export interface DictionaryIndex {
  /** Dictionary words (2–8 Han characters) that begin with `prefix`, with their log-probability. */
  startingWith(prefix: string): [string, number][];
  /** Dictionary words that end with `suffix`. */
  endingWith(suffix: string): [string, number][];
  /** The most frequent second character of two-character words that start with `char`. */
  usualNext(char: string): { char: string; logP: number } | undefined;
}

const reverse = (text: string) => [...text].reverse().join('');

/**
 * Strings in UTF-16 order, as one text with the offset where each starts (one string and two typed
 * arrays instead of hundreds of thousands of strings), each with a log-probability.
 */
class SortedStrings {
  constructor(
    readonly text: string,
    /** Where each string starts in `text`, and the end of the last one. */
    readonly starts: Int32Array,
    readonly logPs: Float64Array,
  ) {}

  static of(entries: [string, number][]): SortedStrings {
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const starts = new Int32Array(entries.length + 1);
    const logPs = new Float64Array(entries.length);
    let at = 0;
    entries.forEach(([text, logP], i) => {
      starts[i] = at;
      logPs[i] = logP;
      at += text.length;
    });
    starts[entries.length] = at;
    return new SortedStrings(entries.map(([text]) => text).join(''), starts, logPs);
  }

  get size(): number {
    return this.logPs.length;
  }

  at(i: number): string {
    return this.text.slice(this.starts[i], this.starts[i + 1]);
  }

  /** The indices `[from, to)` of the strings that begin with `prefix`. */
  range(prefix: string): [number, number] {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid) < prefix) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (
      end < this.size &&
      (this.starts[end + 1] as number) - (this.starts[end] as number) >= prefix.length &&
      this.text.startsWith(prefix, this.starts[end])
    )
      end++;
    return [lo, end];
  }
}

/** The index's contents, as built from the model and as stored in the binary file. */
interface IndexData {
  /** The words. */
  forward: SortedStrings;
  /** The words reversed (by code point), each with its word's log-probability. */
  backward: SortedStrings;
  /** First character → its usual next character and that two-character word's log-probability. */
  next: Map<string, { char: string; logP: number }>;
}

function buildIndexData(lm: LanguageModel): IndexData {
  const forward: [string, number][] = [];
  const backward: [string, number][] = [];
  const next = new Map<string, { char: string; logP: number }>();
  for (const [word, logP] of lm.words()) {
    const length = [...word].length;
    if (length < 2 || length > 8 || !HAN.test(word)) continue;
    forward.push([word, logP]);
    backward.push([reverse(word), logP]);
    // In the model's order: of two equally frequent continuations, the first one stays.
    if (length === 2 && logP >= MIN_CONTINUATION_FREQUENCY_LOGP) {
      const [first, second] = [...word] as [string, string];
      const known = next.get(first);
      if (!known || known.logP < logP) next.set(first, { char: second, logP });
    }
  }
  return { forward: SortedStrings.of(forward), backward: SortedStrings.of(backward), next };
}

class JiebaDictionaryIndex implements DictionaryIndex {
  constructor(private readonly data: IndexData) {}

  startingWith(prefix: string): [string, number][] {
    const { forward } = this.data;
    const [from, to] = forward.range(prefix);
    const out: [string, number][] = [];
    for (let i = from; i < to; i++) out.push([forward.at(i), forward.logPs[i] as number]);
    return out;
  }

  endingWith(suffix: string): [string, number][] {
    const { backward } = this.data;
    const [from, to] = backward.range(reverse(suffix));
    const out: [string, number][] = [];
    for (let i = from; i < to; i++) out.push([reverse(backward.at(i)), backward.logPs[i] as number]);
    return out;
  }

  usualNext(char: string) {
    return this.data.next.get(char);
  }
}

// -- The file (`binary-file.ts`): the forward and backward starts, log-probabilities and texts.

const MAGIC = 'FFDX';
/** Changes whenever the file's layout or what goes into it does. */
const FORMAT = 2;

interface Header {
  format: number;
  /** The dictionary the index was built from: `@node-rs/jieba`'s version. */
  dictionary: string;
  next: [string, string, number][];
}

/** Where the build writes the index and every process reads it: `dist/` at the package's root. */
export const INDEX_FILE = fileURLToPath(new URL('../../../dist/dictionary-index.bin', import.meta.url));

function writeIndex(file: string, data: IndexData): number {
  const header: Header = {
    format: FORMAT,
    dictionary: dictionaryVersion(),
    next: [...data.next].map(([first, { char, logP }]) => [first, char, logP]),
  };
  const { forward, backward } = data;
  return writeArraysFile(file, MAGIC, header, [
    forward.starts,
    forward.logPs,
    Buffer.from(forward.text, 'utf16le'),
    backward.starts,
    backward.logPs,
    Buffer.from(backward.text, 'utf16le'),
  ]);
}

/** The index stored in `file`, or the reason it cannot be used. */
function readIndex(file: string): IndexData | string {
  const stored = readArraysFile<Header>(file, MAGIC);
  if (typeof stored === 'string') return stored;
  const { header } = stored;
  const stale = staleDictionaryFile(header, FORMAT);
  if (stale) return stale;
  const strings = (first: number) => {
    const [startsBuffer, startsAt, startsBytes] = stored.bytes(first);
    const [logPsBuffer, logPsAt, logPsBytes] = stored.bytes(first + 1);
    const [textBuffer, textAt, textBytes] = stored.bytes(first + 2);
    return new SortedStrings(
      Buffer.from(textBuffer, textAt, textBytes).toString('utf16le'),
      new Int32Array(startsBuffer, startsAt, startsBytes / 4),
      new Float64Array(logPsBuffer, logPsAt, logPsBytes / 8),
    );
  };
  return {
    forward: strings(0),
    backward: strings(3),
    next: new Map(header.next.map(([first, char, logP]) => [first, { char, logP }])),
  };
}

/** Builds the index from the model's dictionary and writes it to `file` (the build's step). */
export function writeDictionaryIndex(file = INDEX_FILE): { words: number; bytes: number } {
  const data = buildIndexData(languageModel());
  return { words: data.forward.size, bytes: writeIndex(file, data) };
}

/** The index in `file`, or built from the model when the file is missing or stale (said on stderr). */
export function loadDictionaryIndex(file = INDEX_FILE, lm: LanguageModel = languageModel()): DictionaryIndex {
  const data = readIndex(file);
  if (typeof data !== 'string') return new JiebaDictionaryIndex(data);
  process.stderr.write(
    `finfaq: dictionary index ${file}: ${data}; building it in memory (about 2 s; \`npm run build\` writes it)\n`,
  );
  return new JiebaDictionaryIndex(buildIndexData(lm));
}

/** The index built in memory from `lm`, without the file (tests compare the two). */
export function buildDictionaryIndex(lm: LanguageModel = languageModel()): DictionaryIndex {
  return new JiebaDictionaryIndex(buildIndexData(lm));
}

let shared: DictionaryIndex | undefined;

export function dictionaryIndex(): DictionaryIndex {
  shared ??= loadDictionaryIndex();
  return shared;
}
