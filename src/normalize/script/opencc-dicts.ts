/** Reading opencc-js's bundled dictionaries, which come as `a b|c d` strings or pair lists. */
type DictLike = string | readonly (readonly [string, string])[];

export function* dictEntries(dict: DictLike): Generator<[string, string]> {
  if (typeof dict !== 'string') {
    for (const [from, to] of dict) yield [from, to];
    return;
  }
  for (const pair of dict.split('|')) {
    const space = pair.indexOf(' ');
    if (space > 0) yield [pair.slice(0, space), pair.slice(space + 1).split(' ')[0] as string];
  }
}

/** Whether `text[start, end)` is one code point. */
function oneCodePoint(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length === 1) return true;
  if (length !== 2) return false;
  const high = text.charCodeAt(start);
  const low = text.charCodeAt(start + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

/**
 * `dictEntries(dict)` whose two sides are one character each, into `map` unless it has the key.
 * A string dictionary is scanned in place: its tens of thousands of phrases are never sliced out
 * (building the character fold took a tenth of a second of the normalizer's start-up).
 */
function addSingleChars(dict: DictLike, map: Map<string, string>): void {
  if (typeof dict !== 'string') {
    for (const [from, to] of dict)
      if ([...from].length === 1 && [...to].length === 1 && !map.has(from)) map.set(from, to);
    return;
  }
  for (let start = 0; start < dict.length; ) {
    let end = dict.indexOf('|', start);
    if (end < 0) end = dict.length;
    const space = dict.indexOf(' ', start);
    // As `dictEntries`: the text before the first space, and the first word after it.
    if (space > start && space < end && oneCodePoint(dict, start, space)) {
      let toEnd = dict.indexOf(' ', space + 1);
      if (toEnd < 0 || toEnd > end) toEnd = end;
      if (oneCodePoint(dict, space + 1, toEnd)) {
        const from = dict.slice(start, space);
        if (!map.has(from)) map.set(from, dict.slice(space + 1, toEnd));
      }
    }
    start = end + 1;
  }
}

const singleCharMaps = new WeakMap<object, ReadonlyMap<string, string>>();

/**
 * The one-character → one-character entries of a dictionary chain; the first entry wins. Made
 * once per chain (the fold and the script detector read the same chains).
 */
export function singleCharMap(groups: readonly (readonly DictLike[])[]): ReadonlyMap<string, string> {
  let map = singleCharMaps.get(groups);
  if (!map) {
    const built = new Map<string, string>();
    for (const group of groups) for (const dict of group) addSingleChars(dict, built);
    map = built;
    singleCharMaps.set(groups, map);
  }
  return map;
}
