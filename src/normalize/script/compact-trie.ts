/**
 * opencc-js's dictionary trie (`OpenCC.Trie`: longest match by code point, later words of a group
 * overridden by earlier ones, unmatched ideographic description sequences kept whole), in typed
 * arrays: one open-addressing table of (node, code point) → child instead of a `Map` per node.
 * The same answers as opencc-js's (tests/normalize/script.test.ts compares them); a tenth of the
 * memory: opencc-js's tries of Simplified → Traditional took ~40 MB of heap in every thread
 * that converts (issue 14).
 *
 *   const convert = chainConverter([[phrases, characters], [variants]]);  // ConverterFactory(...)
 */

/** A dictionary as opencc-js takes it: `a alpha|b beta`, or [source, replacement] pairs. */
export type DictLike = string | readonly (readonly [string, string] | string[])[];
export type DictGroup = readonly DictLike[];

const EMPTY = -1;

export class CompactTrie {
  /** Slot → parent node, code point, child node (EMPTY: a free slot). */
  private parents = new Int32Array(1 << 12).fill(EMPTY);
  private points = new Int32Array(1 << 12);
  private children = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;
  private used = 0;
  /** Node → its replacement (undefined: no word ends there). The root is node 0. */
  private readonly values: (string | undefined)[] = [undefined];
  /** Where the last `match` ended, and its replacement. */
  private matchEnd = 0;
  private matchValue = '';

  private slotOf(parent: number, point: number): number {
    let h = Math.imul(parent, 0x9e3779b1) ^ point;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    h ^= h >>> 13;
    let slot = h & this.mask;
    for (;;) {
      const p = this.parents[slot] as number;
      if (p === EMPTY || (p === parent && this.points[slot] === point)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private child(parent: number, point: number): number {
    const slot = this.slotOf(parent, point);
    return this.parents[slot] === EMPTY ? EMPTY : (this.children[slot] as number);
  }

  private grow(): void {
    const { parents, points, children } = this;
    const size = parents.length * 2;
    this.parents = new Int32Array(size).fill(EMPTY);
    this.points = new Int32Array(size);
    this.children = new Int32Array(size);
    this.mask = size - 1;
    for (let slot = 0; slot < parents.length; slot++) {
      const parent = parents[slot] as number;
      if (parent === EMPTY) continue;
      const to = this.slotOf(parent, points[slot] as number);
      this.parents[to] = parent;
      this.points[to] = points[slot] as number;
      this.children[to] = children[slot] as number;
    }
  }

  /** `OpenCC.Trie.addWord`: `source` is replaced by `replacement` (a later word overrides). */
  addWord(source: string, replacement: string): void {
    let node = 0;
    for (const c of source) {
      const point = c.codePointAt(0) as number;
      let slot = this.slotOf(node, point);
      if (this.parents[slot] === EMPTY) {
        if ((this.used + 1) * 2 > this.parents.length) {
          this.grow();
          slot = this.slotOf(node, point);
        }
        const next = this.values.length;
        this.values.push(undefined);
        this.parents[slot] = node;
        this.points[slot] = point;
        this.children[slot] = next;
        this.used++;
      }
      node = this.children[slot] as number;
    }
    this.values[node] = replacement;
  }

  /** `OpenCC.Trie.loadDict`. */
  loadDict(dict: DictLike): void {
    if (typeof dict === 'string') {
      for (const line of dict.split('|')) {
        const [source, replacement] = line.split(' ');
        if (typeof replacement !== 'string')
          throw new TypeError('Invalid dictionary entry: expected "source replacement".');
        this.addWord(source as string, replacement);
      }
    } else for (const [source, replacement] of dict) this.addWord(source as string, replacement as string);
  }

  /** `OpenCC.Trie.loadDictGroup`: the group's first dictionary wins. */
  loadDictGroup(group: DictGroup): void {
    for (let k = group.length - 1; k >= 0; k--) this.loadDict(group[k] as DictLike);
  }

  /** The longest word at `at` (its end in `matchEnd`, its replacement in `matchValue`); false if none. */
  private match(s: string, at: number): boolean {
    let node = 0;
    let end = 0;
    for (let j = at; j < s.length; ) {
      const point = s.codePointAt(j) as number;
      j += point > 0xffff ? 2 : 1;
      node = this.child(node, point);
      if (node === EMPTY) break;
      const value = this.values[node];
      if (value !== undefined) {
        end = j;
        this.matchValue = value;
      }
    }
    this.matchEnd = end;
    return end > 0;
  }

  /** `OpenCC.Trie.segment`: the dictionary's words and the stretches between them. */
  segment(s: string): string[] {
    return this.pieces(s, false);
  }

  /** `OpenCC.Trie.convert`: each word replaced, the stretches between kept. */
  convert(s: string): string {
    return this.pieces(s, true).join('');
  }

  /** The stretches between the dictionary's words, and each word as it is or `replaced`. */
  private pieces(s: string, replaced: boolean): string[] {
    const out: string[] = [];
    let unmatched = -1;
    for (let i = 0; i < s.length; ) {
      if (this.match(s, i)) {
        if (unmatched >= 0) out.push(s.slice(unmatched, i));
        unmatched = -1;
        out.push(replaced ? this.matchValue : s.slice(i, this.matchEnd));
        i = this.matchEnd;
      } else {
        if (unmatched < 0) unmatched = i;
        i += unmatchedLength(s, i);
      }
    }
    if (unmatched >= 0) out.push(s.slice(unmatched));
    return out;
  }
}

/** `OpenCC.ConverterFactory(...groups)`: a trie per group, applied in order. */
export function chainConverter(groups: readonly DictGroup[]): (text: string) => string {
  const tries = groups.map((group) => {
    const trie = new CompactTrie();
    trie.loadDictGroup(group);
    return trie;
  });
  return (text) => tries.reduce((s, trie) => trie.convert(s), text);
}

function pointLength(s: string, i: number): number {
  return (s.codePointAt(i) as number) > 0xffff ? 2 : 1;
}

function idsArity(point: number): number {
  if (point >= 0x2ff0 && point <= 0x2ff1) return 2;
  if (point >= 0x2ff2 && point <= 0x2ff3) return 3;
  if (point >= 0x2ff4 && point <= 0x2fff) return 2;
  return 0;
}

/** The end of the ideographic description sequence at `i` (`⿰氵青`), or 0 when none starts there. */
function idsEnd(s: string, i: number): number {
  const arity = idsArity(s.codePointAt(i) as number);
  if (arity === 0) return 0;
  let end = i + pointLength(s, i);
  for (let n = 0; n < arity; n++) {
    if (end >= s.length) return 0;
    end = idsEnd(s, end) || end + pointLength(s, end);
  }
  return end;
}

/** Code units left as they are at `i` when no word starts there: a character, or a whole sequence. */
function unmatchedLength(s: string, i: number): number {
  const end = idsEnd(s, i);
  return end > i ? end - i : pointLength(s, i);
}

/** A preset of opencc-js, as its `Converter` reads it (the bundled types leave some out). */
export interface OpenccConfig {
  normalizationChain?: DictGroup[];
  segmentation?: DictLike | DictGroup;
  conversionChain: readonly DictGroup[];
}

/**
 * opencc-js's `Converter` for one of its presets, rebuilt on these tries: normalization, the
 * segmentation's longest matches, the conversion chain. `first`, a dictionary of the project's
 * own, goes ahead of the preset's in the segmentation and in the chain's first group, so that its
 * entries win (`to-traditional.ts`'s overrides).
 */
export function presetConverter(config: OpenccConfig, first?: string): (text: string) => string {
  const normalize = config.normalizationChain ? chainConverter(config.normalizationChain) : null;
  const [head = [], ...rest] = config.conversionChain;
  const chain = chainConverter(first === undefined ? config.conversionChain : [[first, ...head], ...rest]);
  let segmentation: CompactTrie | null = null;
  if (config.segmentation) {
    segmentation = new CompactTrie();
    // As opencc-js reads it: an array of dictionaries is a group, anything else one dictionary.
    const given = config.segmentation;
    const group: DictGroup =
      Array.isArray(given) && given.every((d) => typeof d === 'string') ? given : [given as DictLike];
    segmentation.loadDictGroup(first === undefined ? group : [first, ...group]);
  }
  return (text) => {
    const normalized = normalize ? normalize(text) : text;
    return segmentation ? segmentation.segment(normalized).map(chain).join('') : chain(normalized);
  };
}
