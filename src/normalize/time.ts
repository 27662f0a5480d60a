/** Publication times as pages print them → ISO 8601 with an offset (China time when none is given). */

const CHINA_OFFSET = '+08:00';

/** `2024-10-02 23:26:37`, `2024/10/2 23:26`, `2024年10月2日 23:26` (`2026 年 1 月 19 日` spaced), or an ISO value with a zone. */
const PRINTED_TIME =
  /(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?(?:[\sT]+(\d{1,2})\s*[:：時时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?(?:\s*(Z|[+-]\d{2}:?\d{2}))?/;

export const TIME_IN_TEXT = new RegExp(PRINTED_TIME.source);

function pad(value: string | undefined, width = 2): string {
  return (value ?? '0').padStart(width, '0');
}

/** The ISO form of the first time in `raw`, or null when there is none or it is not a real date. */
export function parsePublishedAt(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const m = PRINTED_TIME.exec(raw);
  if (!m) return null;
  const [, year, month, day, hour, minute, second, zone] = m;
  const date = `${year}-${pad(month)}-${pad(day)}`;
  const time = `${pad(hour)}:${pad(minute)}:${pad(second)}`;
  let offset = CHINA_OFFSET;
  if (zone === 'Z') offset = '+00:00';
  else if (zone) offset = zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const iso = `${date}T${time}${offset}`;
  const check = new Date(iso);
  if (Number.isNaN(check.getTime())) return null;
  // Reject 2024-02-31 and the like, which Date silently rolls over.
  const local = new Date(check.getTime() + offsetMinutes(offset) * 60_000);
  if (local.getUTCDate() !== Number(day) || local.getUTCMonth() + 1 !== Number(month)) return null;
  return iso;
}

/** A time printed without its year: `01-17`, `01-17 09:30`. */
const MONTH_DAY = /^(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?/;
/** A time printed relative to the page's own now: `3天前`, `2小时前`, `刚刚`, `昨天 12:30`. */
export const RELATIVE_TIME =
  /^(?:(刚刚|刚才)|(\d{1,3})\s*(秒|分钟|小时|天|周)前|(今天|昨天|前天)(?:\s*(\d{1,2}):(\d{2}))?)/;
const UNIT_MS: Record<string, number> = {
  秒: 1_000,
  分钟: 60_000,
  小时: 3_600_000,
  天: 86_400_000,
  周: 7 * 86_400_000,
};
const DAYS_BACK: Record<string, number> = { 今天: 0, 昨天: 1, 前天: 2 };
const CHINA_MS = 8 * 3_600_000;

/**
 * A time the page printed relative to when it was fetched, dated by the raw record's `fetched_at`
 * (China time, where the page printed it):
 * - without its year (`01-17`, `12-30 21:05`): the latest such day on or before the fetch (a page
 *   fetched in January that says `12-30` was published the December before);
 * - relative (`3天前`, `2小时前`, `刚刚`, `昨天 12:30`): counted back from the fetch. `3天前` keeps
 *   the fetch's time of day, as the page's own clock did; months and years ago are too coarse to
 *   give a day and are not read.
 * Null without a fetch time, or for a day no year has.
 */
export function datedByFetch(
  printed: string | null | undefined,
  fetchedAt: string | undefined,
): string | null {
  if (!printed || !fetchedAt) return null;
  const fetched = new Date(fetchedAt);
  if (Number.isNaN(fetched.getTime())) return null;
  const text = printed.trim();
  const relative = RELATIVE_TIME.exec(text);
  if (relative) return countedBack(relative, fetched);
  const m = MONTH_DAY.exec(text);
  if (!m) return null;
  const [, month, day, hour, minute] = m;
  // The fetch's year in China time, where the page printed its date.
  const year = new Date(fetched.getTime() + CHINA_MS).getUTCFullYear();
  // 02-29 needs a leap year: look back as far as the last one.
  for (let back = 0; back <= 8; back++) {
    const iso = parsePublishedAt(`${year - back}-${month}-${day} ${hour ?? '00'}:${minute ?? '00'}`);
    // A day's slack: the site's clock and zone are not ours.
    if (iso && new Date(iso).getTime() <= fetched.getTime() + 86_400_000) return iso;
  }
  return null;
}

function countedBack(m: RegExpExecArray, fetched: Date): string | null {
  const [, now, count, unit, dayWord, hour, minute] = m;
  if (now) return chinaIso(fetched.getTime());
  if (count && unit) return chinaIso(fetched.getTime() - Number(count) * (UNIT_MS[unit] as number));
  // 今天/昨天/前天: that day in China time, at the printed time or its start.
  const china = new Date(fetched.getTime() + CHINA_MS);
  china.setUTCDate(china.getUTCDate() - (DAYS_BACK[dayWord as string] as number));
  const date = china.toISOString().slice(0, 10);
  return parsePublishedAt(`${date} ${hour ?? '00'}:${minute ?? '00'}`);
}

/** An instant as China time, to the second. */
function chinaIso(ms: number): string {
  return `${new Date(ms + CHINA_MS).toISOString().slice(0, 19)}${CHINA_OFFSET}`;
}

function offsetMinutes(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}
