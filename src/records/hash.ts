/**
 * The one SHA-256 helper of the project: record ids, content hashes and the dedupe index's exact
 * layer (`normalize/record.ts`), the crawl's body digests (`crawl/validators.ts`), queue job ids
 * (`queue/jobs.ts`) and a batch's page keys (`normalize/layout/templates.ts`). Parts are hashed
 * one at a time, so a long text is never joined into one string first.
 */
import { createHash } from 'node:crypto';

export interface DigestOptions {
  /** Hashed after every part (`'\0'` keeps `['ab', 'c']` apart from `['a', 'bc']`). */
  after?: string;
  /** Hex characters kept (64: the whole digest). */
  chars?: number;
}

/** SHA-256 of the parts in order, in lower-case hex, cut to `chars`. */
export function sha256Hex(parts: Iterable<string | Uint8Array>, options: DigestOptions = {}): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(part);
    if (options.after !== undefined) hash.update(options.after);
  }
  const hex = hash.digest('hex');
  return options.chars === undefined ? hex : hex.slice(0, options.chars);
}
