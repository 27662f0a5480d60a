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

/** The one-character → one-character entries of a dictionary chain; the first entry wins. */
export function singleCharMap(groups: readonly (readonly DictLike[])[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of groups)
    for (const dict of group)
      for (const [from, to] of dictEntries(dict)) {
        if ([...from].length === 1 && [...to].length === 1 && !map.has(from)) map.set(from, to);
      }
  return map;
}
