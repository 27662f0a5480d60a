/** The clean record: the normalizer's output, the store's rows and the feed's items (CONTRACT.md). */
import type { Repair, Unresolved } from './repairs.js';
import type { Script } from './scripts.js';

export interface CleanRecord {
  id: string;
  url: string;
  source: string;
  title: string | null;
  category: string | null;
  published_at: string | null;
  script: Script;
  paragraphs: string[];
  repairs: Repair[];
  flags: string[];
  /** Where each problem of `flags` that has a place is: garbled runs left as they are, gaps. */
  unresolved: Unresolved[];
  content_hash: string;
}
