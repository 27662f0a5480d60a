import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  buildDictionaryIndex,
  loadDictionaryIndex,
  writeDictionaryIndex,
} from '../../src/normalize/deleted-words/dictionary-index.js';
import { languageModel } from '../../src/normalize/language-model.js';

describe('the dictionary index file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finfaq-index-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'dictionary-index.bin');
  writeDictionaryIndex(file);
  const built = buildDictionaryIndex();
  const loaded = loadDictionaryIndex(file);

  it('answers as the index built in memory does, for every word beginning and end', () => {
    const probes = new Set<string>();
    let words = 0;
    for (const [word] of languageModel().words()) {
      // Every 50th word: its first and last characters and pairs, Traditional forms included.
      if (words++ % 50 !== 0) continue;
      const chars = [...word];
      for (const probe of [chars[0], chars.at(-1), chars.slice(0, 2).join(''), chars.slice(-2).join('')])
        if (probe) probes.add(probe);
    }
    for (const probe of ['騷擾', '電話', '问', '題', '𠀋']) probes.add(probe);
    expect(probes.size).toBeGreaterThan(1000);
    for (const probe of probes) {
      expect(loaded.startingWith(probe)).toEqual(built.startingWith(probe));
      expect(loaded.endingWith(probe)).toEqual(built.endingWith(probe));
      expect(loaded.usualNext(probe)).toEqual(built.usualNext(probe));
    }
    expect(loaded.startingWith('骚扰').map(([w]) => w)).toContain('骚扰电话');
    expect(loaded.endingWith('电话').map(([w]) => w)).toContain('骚扰电话');
    expect(loaded.usualNext('问')?.char).toBe('题');
  });

  it('is built in memory, with a line saying why, when the file is not an index', () => {
    const said = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const garbage = join(dir, 'garbage.bin');
      writeFileSync(garbage, 'not an index at all');
      const rebuilt = loadDictionaryIndex(garbage);
      expect(rebuilt.startingWith('骚扰')).toEqual(built.startingWith('骚扰'));
      expect(rebuilt.usualNext('问')).toEqual(built.usualNext('问'));
      expect(said.mock.calls.map(([line]) => String(line))).toEqual([
        expect.stringMatching(/garbage\.bin: not a file of this kind; building it in memory/),
      ]);
    } finally {
      said.mockRestore();
    }
  });
});
