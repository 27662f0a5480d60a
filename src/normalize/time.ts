/** Publication times as pages print them → ISO 8601 with an offset (China time when none is given). */

const CHINA_OFFSET = '+08:00';

/** `2024-10-02 23:26:37`, `2024/10/2 23:26`, `2024年10月2日 23:26`, or an ISO value with a zone. */
const PRINTED_TIME =
  /(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})日?(?:[\sT]+(\d{1,2})\s*[:：時时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?(?:\s*(Z|[+-]\d{2}:?\d{2}))?/;

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

function offsetMinutes(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}
