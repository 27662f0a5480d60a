/**
 * Recrawl without waste: what the last crawl saw of each article page, so the next one can ask
 * "has it changed?" (`If-None-Match` with the ETag, `If-Modified-Since` with the Last-Modified
 * date) and, when the server answers 304 or sends the same bytes again, write no new record.
 *
 * A `ValidatorStore` is keyed by source and requested URL. `MemoryValidatorStore` lives as long as
 * the process; `JsonFileValidatorStore` is what `finfaq crawl --once` keeps between runs.
 */

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sha256Hex } from '../records/hash.js';

export interface PageValidators {
  etag?: string;
  lastModified?: string;
  /** SHA-256 (hex) of the body as served: catches unchanged pages on servers without validators. */
  sha256: string;
  /** When the body was fetched, ISO 8601. */
  fetchedAt: string;
}

export interface ValidatorStore {
  get(source: string, url: string): PageValidators | undefined;
  set(source: string, url: string, validators: PageValidators): void;
}

export function sha256(bytes: Uint8Array): string {
  return sha256Hex([bytes]);
}

/** The conditional request headers for a page seen before (none for a new one). */
export function conditionalHeaders(validators: PageValidators | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (validators?.etag) headers['If-None-Match'] = validators.etag;
  if (validators?.lastModified) headers['If-Modified-Since'] = validators.lastModified;
  return headers;
}

export class MemoryValidatorStore implements ValidatorStore {
  protected readonly sources = new Map<string, Map<string, PageValidators>>();

  get(source: string, url: string): PageValidators | undefined {
    return this.sources.get(source)?.get(url);
  }

  set(source: string, url: string, validators: PageValidators): void {
    const pages = this.sources.get(source) ?? new Map<string, PageValidators>();
    this.sources.set(source, pages);
    pages.set(url, validators);
  }

  /** Pages known for a source. */
  size(source: string): number {
    return this.sources.get(source)?.size ?? 0;
  }
}

interface StateFile {
  version: 1;
  sources: Record<string, Record<string, PageValidators>>;
}

/** A `MemoryValidatorStore` loaded from and saved to a JSON file (written atomically). */
export class JsonFileValidatorStore extends MemoryValidatorStore {
  private constructor(readonly path: string) {
    super();
  }

  /** Opens the state at `path`; a missing file is an empty state, an unreadable one an error. */
  static async open(path: string): Promise<JsonFileValidatorStore> {
    const store = new JsonFileValidatorStore(path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw error;
    }
    const state = JSON.parse(text) as StateFile;
    if (state?.version !== 1 || typeof state.sources !== 'object')
      throw new Error(`${path}: not a finfaq crawl state file`);
    for (const [source, pages] of Object.entries(state.sources))
      for (const [url, validators] of Object.entries(pages)) store.set(source, url, validators);
    return store;
  }

  async save(): Promise<void> {
    const state: StateFile = { version: 1, sources: {} };
    for (const [source, pages] of this.sources) state.sources[source] = Object.fromEntries(pages);
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(state)}\n`);
    await rename(temporary, this.path);
  }
}
