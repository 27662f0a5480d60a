/** The two real seed pages and their expected records (../shared/seeds), as the tests read them. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHans } from '../../src/normalize/script/convert.js';
import type { Unresolved } from '../../src/records/repairs.js';
import type { Script } from '../../src/records/scripts.js';

export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const SEED_NAMES = ['000_825b8516aba863a0', '002_2a05bec762618cc7'] as const;
export type SeedName = (typeof SEED_NAMES)[number];

export interface ExpectedSeed {
  title: string | null;
  title_hant?: string;
  title_tw?: string;
  category: string | null;
  published_at: string | null;
  paragraphs_hans: string[];
  paragraphs_hant: string[];
  paragraphs_tw: string[];
}

export function seedPath(name: SeedName): string {
  return `${SHARED}seeds/${name}.txt`;
}

export function seedBytes(name: SeedName): Buffer {
  return readFileSync(seedPath(name));
}

export function expectedSeed(name: SeedName): ExpectedSeed {
  return JSON.parse(readFileSync(`${SHARED}seeds/expected/${name}.json`, 'utf8')) as ExpectedSeed;
}

/**
 * The words the site's filter deleted (FAULTS.md §3), as `[with the word, without it]` in
 * Simplified. A pattern applies to every occurrence; the context makes each one precise.
 */
export const DELETED_WORDS: Record<SeedName, [string, string][]> = {
  '000_825b8516aba863a0': [
    ['电话', ''],
    ['安全问题日益', '安全问日益'],
    ['骚扰问题也', '骚扰问也'],
    ['服务的同时保护', '服务的保护'],
  ],
  '002_2a05bec762618cc7': [['便利的同时降低', '便利的降低']],
};

/**
 * The deletions no evidence in the two seeds can undo: `同時` inside `在…的同時`, where only text of
 * other sites (here: an intact copy of the article, `intactCopyOf`) shows the word (FAULTS.md §3).
 * A batch of the two seeds alone restores every other deleted word.
 */
export const UNRESTORABLE_FROM_SEEDS_ALONE: Record<SeedName, [string, string][]> = {
  '000_825b8516aba863a0': [['服务的同时保护', '服务的保护']],
  '002_2a05bec762618cc7': [['便利的同时降低', '便利的降低']],
};

/**
 * The same article on another site, intact: content farms copy each other, and a batch that holds
 * such a copy shows every word the seed's filter deleted in its place (FAULTS.md §3). A plain text
 * page of the expected Simplified paragraphs under its title, on a site of its own.
 */
export function intactCopyOf(name: SeedName): { url: string; text: string } {
  const expected = expectedSeed(name);
  return {
    url: `https://copies.example/article/${name}.html`,
    text: [expected.title ?? '', '', ...expected.paragraphs_hans].join('\n'),
  };
}

export function expectedParagraphs(name: SeedName, script: Script): string[] {
  const expected = expectedSeed(name);
  return script === 'hans'
    ? expected.paragraphs_hans
    : script === 'hant'
      ? expected.paragraphs_hant
      : expected.paragraphs_tw;
}

function withDeletions(paragraphs: string[], deletions: [string, string][], script: Script): string[] {
  return paragraphs.map((p) =>
    deletions.reduce(
      (text, [withWord, without]) => text.split(fromHans(withWord, script)).join(fromHans(without, script)),
      p,
    ),
  );
}

/** Expected paragraphs in `script` with the deleted words taken out again (the text before restoration). */
export function expectedWithoutDeletedWords(name: SeedName, script: Script): string[] {
  return withDeletions(expectedParagraphs(name, script), DELETED_WORDS[name], script);
}

/** Expected paragraphs after restoration from the two seeds alone. */
export function expectedAfterRestoration(name: SeedName, script: Script): string[] {
  return withDeletions(expectedParagraphs(name, script), UNRESTORABLE_FROM_SEEDS_ALONE[name], script);
}

export function expectedTitle(name: SeedName, script: Script): string | null {
  const expected = expectedSeed(name);
  if (script === 'hant') return expected.title_hant ?? expected.title;
  if (script === 'tw') return expected.title_tw ?? expected.title;
  return expected.title;
}

/**
 * Where the words no evidence in the seeds can restore belong, as the record lists them: a
 * zero-width `possible-gap` at the code-point offset of the word in the expected paragraph (the
 * published paragraph lacks only that word there).
 */
export function unrestorablePlaces(name: SeedName, script: Script): Unresolved[] {
  const places: Unresolved[] = [];
  expectedParagraphs(name, script).forEach((text, paragraph) => {
    for (const [withWord, without] of UNRESTORABLE_FROM_SEEDS_ALONE[name]) {
      const phrase = fromHans(withWord, script);
      const at = text.indexOf(phrase);
      if (at < 0) continue;
      const prefix = fromHans(without, script);
      let common = 0;
      while (common < prefix.length && prefix[common] === phrase[common]) common++;
      const start = [...text.slice(0, at + common)].length;
      places.push({ kind: 'possible-gap', paragraph, start, end: start });
    }
  });
  return places;
}
