import { describe, expect, it } from 'vitest';
import { contentHash, hash64 } from '../../src/normalize/record.js';
import { sha256Hex } from '../../src/records/hash.js';

describe('sha256Hex', () => {
  it("gives SHA-256's digest, cut where asked", () => {
    // FIPS 180-2's test vector for "abc".
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256Hex(['abc'])).toBe(abc);
    expect(sha256Hex(['a', 'b', 'c'])).toBe(abc);
    expect(sha256Hex([Buffer.from('abc')], { chars: 16 })).toBe(abc.slice(0, 16));
    expect(hash64('abc')).toBe(abc.slice(0, 16));
  });

  it('keeps parts apart with a separator', () => {
    expect(sha256Hex(['ab', 'c'], { after: '\0' })).not.toBe(sha256Hex(['a', 'bc'], { after: '\0' }));
    expect(sha256Hex(['ab', 'c'], { after: '\0' })).toBe(sha256Hex(['ab\0c\0']));
  });

  it('hashes a Traditional copy like its Simplified original (content hash)', () => {
    expect(contentHash(['信用卡還款日是哪天？'])).toBe(contentHash(['信用卡还款日是哪天?']));
    expect(contentHash(['一段', '两段'])).toBe(contentHash(['一段两段']));
  });
});
