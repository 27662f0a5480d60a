/**
 * The fingerprints of canonical records a publisher verified lately, by exact hash (the hash of
 * the canonical text they were made from): the same records come back as candidates again and
 * again (those whose band keys hit common phrasing), and fingerprinting one costs far more than
 * looking it up. Least recently used first out; only what verification needs is kept (shingle
 * set, sequence, signature: ~5 KB an article, ~20 MB when full).
 *
 *   const cache = new FingerprintCache(4096);
 *   cache.get(hash) ?? cache.set(hash, fingerprint(paragraphs));
 */
import type { Fingerprint } from './fingerprint.js';

export class FingerprintCache {
  private readonly entries = new Map<string, Fingerprint>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity = 4096) {}

  get(exactHash: string): Fingerprint | undefined {
    const entry = this.entries.get(exactHash);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.delete(exactHash);
    this.entries.set(exactHash, entry);
    return entry;
  }

  /** Keeps `fp` without its text and band keys (verification reads neither); returns `fp`. */
  set(exactHash: string, fp: Fingerprint): Fingerprint {
    this.entries.delete(exactHash);
    this.entries.set(exactHash, { ...fp, canonical: '', bandKeys: [] });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return fp;
  }

  get size(): number {
    return this.entries.size;
  }
}
