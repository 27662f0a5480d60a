import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedFileBytes, useSharedFileBytes } from '../../src/normalize/binary-file.js';
import { loadNgramModel, NGRAM_FILE, ngramModel } from '../../src/normalize/ngram-model.js';

describe('ngramModel (open-gram word bigrams)', () => {
  const model = ngramModel();
  const vocabulary = [...model.words()];
  // Common two-character words of the model itself, as histories and followers.
  const common = vocabulary
    .filter((w) => w.length === 2 && /^\p{Script=Han}+$/u.test(w))
    .map((w) => ({ w, logP: model.wordLogP(w) as number }))
    .sort((a, b) => b.logP - a.logP)
    .slice(0, 400)
    .map((x) => x.w);

  it('loads the same model from the build and from the committed file', () => {
    const fromSource = loadNgramModel('/nonexistent/ngram-model.bin');
    expect([...fromSource.words()].length).toBe(vocabulary.length);
    if (existsSync(NGRAM_FILE)) {
      const fromBuild = loadNgramModel(NGRAM_FILE);
      for (const text of common.slice(0, 20).map((w, k) => w + (common[k + 20] as string)))
        expect(fromBuild.read(text)).toEqual(fromSource.read(text));
    }
  });

  it('reads the build’s file as it is: models loaded from the same shared bytes agree', () => {
    if (!existsSync(NGRAM_FILE)) return;
    // As worker threads do: the bytes read once into shared memory, every model a view of them.
    // A model that changed its arrays in place would change the next one's.
    const shared = sharedFileBytes([NGRAM_FILE]);
    const before = Buffer.from(shared[NGRAM_FILE] as Uint8Array);
    useSharedFileBytes(shared);
    const first = loadNgramModel(NGRAM_FILE);
    const second = loadNgramModel(NGRAM_FILE);
    const fromSource = loadNgramModel('/nonexistent/ngram-model.bin');
    for (const text of common.slice(0, 20).map((w, k) => (common[k + 40] as string) + w)) {
      expect(first.read(text)).toEqual(fromSource.read(text));
      expect(second.read(text)).toEqual(fromSource.read(text));
    }
    expect(Buffer.compare(before, Buffer.from(shared[NGRAM_FILE] as Uint8Array))).toBe(0);
  });

  it('gives each history a distribution over the words after it', () => {
    for (const history of [common[0], common[50], common[200]] as string[]) {
      let total = 0;
      for (const w of vocabulary) total += Math.exp(model.bigramLogP(history, w) as number);
      // Pruning and quantizing move the sum a little away from 1.
      expect(total).toBeGreaterThan(0.8);
      expect(total).toBeLessThan(1.25);
    }
  });

  it('prefers a history’s likeliest follower to a commoner word after it, in context', () => {
    let checked = 0;
    for (const history of common.slice(0, 100)) {
      const followers = common
        .map((w) => ({ w, logP: model.bigramLogP(history, w) as number }))
        .sort((a, b) => b.logP - a.logP);
      const best = followers[0] as { w: string };
      // A word more frequent on its own that the bigram puts well below.
      const other = followers.find(
        (f) =>
          (model.wordLogP(f.w) as number) > (model.wordLogP(best.w) as number) &&
          (model.bigramLogP(history, best.w) as number) > f.logP + 2,
      );
      if (!other) continue;
      const a = history + best.w;
      const b = history + other.w;
      if (model.segment(a).length !== 2 || model.segment(b).length !== 2) continue;
      expect(model.context(a), `${a} / ${b}`).toBeGreaterThan(model.context(b));
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('finds more context in a chain of likeliest followers than in the same words shuffled', () => {
    let text = common[3] as string;
    let last = text;
    const used = new Set([last]);
    for (let k = 0; k < 6; k++) {
      const next = common
        .filter((w) => !used.has(w))
        .reduce((a, b) =>
          (model.bigramLogP(last, a) as number) >= (model.bigramLogP(last, b) as number) ? a : b,
        );
      used.add(next);
      text += next;
      last = next;
    }
    const words = model.segment(text);
    const shuffled = [...words.slice(1), words[0]].reverse().join('');
    expect(model.context(text)).toBeGreaterThan(model.context(shuffled));
    expect(model.context(text)).toBeGreaterThan(0);
  });

  it('reads Traditional as Simplified, and characters it lacks without context', () => {
    expect(model.read('時候到了')).toEqual(model.read('时候到了'));
    expect(model.segment('ABC的')).toEqual(['A', 'B', 'C', '的']);
    expect(model.context('ABC')).toBe(0);
    expect(model.read('')).toEqual({ logP: 0, context: 0 });
  });
});
