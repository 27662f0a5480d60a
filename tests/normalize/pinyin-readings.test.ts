import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readingsOf, writeReadingsTable } from '../../src/normalize/pinyin.js';

const require = createRequire(import.meta.url);

describe("the build's table of pinyin readings", () => {
  const dir = mkdtempSync(join(tmpdir(), 'finfaq-readings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'pinyin-readings.json');
  writeReadingsTable(file);
  const { readings } = JSON.parse(readFileSync(file, 'utf8')) as { readings: Record<string, string[]> };
  const { pinyin } = require('pinyin-pro') as typeof import('pinyin-pro');
  /** What pinyin-pro says of `char`, kept as `readingsOf` keeps it. */
  const live = (char: string) =>
    (pinyin(char, { multiple: true, type: 'array' }) as string[])
      .filter((r) => /^[a-z]+$/i.test(r.normalize('NFD').replace(/\p{M}/gu, '')))
      .map((r) => r.normalize('NFC').toLowerCase());

  it("holds pinyin-pro's readings of every 37th character, and none where it has none", () => {
    let withReadings = 0;
    for (let code = 0x2e80; code < 0x10000; code += 37) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCharCode(code);
      const expected = live(char);
      expect(readings[char] ?? []).toEqual(expected);
      if (expected.length > 0) withReadings++;
    }
    expect(withReadings).toBeGreaterThan(300);
    for (const char of ['行', '長', '𠀋', '〇', 'A']) expect(readings[char] ?? []).toEqual(live(char));
  });

  it('gives readingsOf what pinyin-pro gives, Traditional forms through their Simplified one', () => {
    expect([...readingsOf('行')]).toEqual(live('行'));
    expect(readingsOf('間').has('jiān')).toBe(true);
    expect(readingsOf('ア').size).toBe(0);
  });
});
