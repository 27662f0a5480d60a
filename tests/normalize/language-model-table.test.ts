import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedFileBytes } from '../../src/normalize/binary-file.js';
import {
  buildLanguageModel,
  type LanguageModel,
  loadLanguageModel,
  writeLanguageModelTable,
} from '../../src/normalize/language-model.js';

describe('the language model table file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finfaq-lm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'language-model.bin');
  writeLanguageModelTable(file);
  const built = buildLanguageModel();
  const loaded = loadLanguageModel(file);

  /** Every 97th dictionary word, and text around them, each asked of both models. */
  function sameAnswers(model: LanguageModel): void {
    let k = 0;
    const words: string[] = [];
    for (const [word] of built.words()) if (k++ % 97 === 0) words.push(word);
    const text = words.join('，');
    for (let at = 0; at < text.length; at += 40) {
      const piece = text.slice(at, at + 60);
      expect(model.score(piece)).toBe(built.score(piece));
      expect(model.segment(piece)).toEqual(built.segment(piece));
    }
    for (const word of words) {
      expect(model.wordLogP(word)).toBe(built.wordLogP(word));
      expect(model.simplifiedWordFrequency(word)).toBe(built.simplifiedWordFrequency(word));
      expect(model.partOfSpeech(word)).toBe(built.partOfSpeech(word));
      for (const char of word) expect(model.charLogP(char)).toBe(built.charLogP(char));
    }
    for (const char of ['銀', '𠀋', '?', 'a', '，', '\uE000'])
      expect(model.charLogP(char)).toBe(built.charLogP(char));
  }

  it('answers as the model built in memory does: scores, segments, words, characters', () => {
    sameAnswers(loaded);
  });

  it('answers the same when read from bytes shared with worker threads', () => {
    const shared = sharedFileBytes([file])[file] as Uint8Array;
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    sameAnswers(loadLanguageModel(file));
  });
});
