// A repair step that throws (a bug, or data damaged where it was kept) must not lose the record:
// the text is kept as it came to that step and the record is flagged `repair-failed`.
import { describe, expect, it } from 'vitest';
import type { DeletionProfile } from '../../src/normalize/deleted-words/profile.js';
import {
  draftDocument,
  finalizeRecord,
  keepOnFailure,
  normalizeDocument,
  REPAIR_FAILED,
} from '../../src/normalize/pipeline.js';
import { contentHash } from '../../src/normalize/record.js';

const page = {
  url: 'https://bank.example/faq/1',
  text: '信用卡怎么提额\n发布时间：2024-03-12\n信用卡提额需要保持良好的用卡记录，按时还款。\n每月消费金额最好达到额度的三成以上。',
};

describe('a failing repair step', () => {
  it('gives the kept value and the error, or the step value when it does not throw', () => {
    const failing = keepOnFailure(
      () => {
        throw new RangeError('boom');
      },
      () => 'kept',
    );
    expect(failing.value).toBe('kept');
    expect(failing.error).toBeInstanceOf(RangeError);
    expect(
      keepOnFailure(
        () => 'done',
        () => 'kept',
      ),
    ).toEqual({ value: 'done' });
  });

  it('keeps the page when its profile is damaged (restoring throws), flagged', () => {
    const damaged = {
      source: 'bank.example',
      documents: 3,
      words: [{ word: null }],
    } as unknown as DeletionProfile;
    const clean = normalizeDocument(page);
    const record = normalizeDocument(page, { profile: damaged });
    expect(record.flags).toContain(REPAIR_FAILED);
    expect(clean.flags).not.toContain(REPAIR_FAILED);
    // Everything else is the record without a profile.
    expect(record.paragraphs).toEqual(clean.paragraphs);
    expect(record.title).toBe(clean.title);
    expect(record.repairs).toEqual(clean.repairs);
  });

  it('finalizes a damaged draft unconverted instead of throwing', () => {
    const draft = draftDocument({
      url: 'https://bank.example/faq/2',
      text: '信用卡還款日是哪天？\n每個月的還款日在賬單上。',
    });
    expect(draft.script).toBe('hant');
    // A draft read back from a spool or queue with its repairs lost.
    const damaged = { ...draft, repairs: null } as unknown as typeof draft;
    const record = finalizeRecord(damaged, 'hant');
    expect(record.flags).toContain(REPAIR_FAILED);
    // Not converted: the Simplified text as drafted, and the script says so.
    expect(record.script).toBe('hans');
    expect(record.paragraphs).toEqual(draft.paragraphs);
    expect(record.content_hash).toBe(contentHash(draft.paragraphs));
    expect(record.repairs).toEqual([]);
    // The undamaged draft converts as usual.
    const converted = finalizeRecord(draft, 'hant');
    expect(converted.flags).not.toContain(REPAIR_FAILED);
    expect(converted.script).toBe('hant');
  });
});
