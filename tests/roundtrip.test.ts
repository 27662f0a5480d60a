/**
 * Round trips: generated clean articles, made faulty by the injector the way FAULTS.md says the
 * faults arise, must come out of `normalizeDocument` as exactly the clean text (minus the words a
 * site filter deleted, which issue 2 will restore), with the title, category and time.
 *
 * Each fault class is first tested alone (so a failure names its class), then in random
 * combinations. Failures are reported per fault class with the paragraph, what the page said
 * there and what came out.
 */
import { describe, expect, it } from 'vitest';
import { normalizeDocument } from '../src/normalize/pipeline.js';
import type { Repair, Unresolved } from '../src/records/repairs.js';
import { generateArticle, Rng } from './support/article-generator.js';
import {
  FAULT_KINDS,
  type FaultKind,
  type FaultyDocument,
  type InjectedFault,
  injectFaults,
  type PageScript,
} from './support/fault-injector.js';

const SCRIPTS: PageScript[] = ['hans', 'tw'];
/** Documents per fault class and script when the class is tested alone. */
const SINGLE = 25;
/** Documents with random combinations of faults, per script. */
const COMBINED = 150;

interface Case {
  label: string;
  script: PageScript;
  faults: FaultKind[];
  doc: FaultyDocument;
}

interface Failure {
  label: string;
  field: string;
  got: string | null | undefined;
  want: string | null | undefined;
  /** The faults placed where it went wrong (the paragraph, or the whole document). */
  here: InjectedFault[];
  /** Of those, the ones whose traces are still in the output (or whose clean text is not). */
  implicated: InjectedFault[];
  faults: FaultKind[];
}

/** A space between Chinese on both sides: where a deleted word stood. */
const GAP = /[\p{Script=Han}，。、：；？！“”] [\p{Script=Han}，。、：；？！“”]/u;

/**
 * Did this fault survive into `got`? Leftovers of its faulty text (`間(jiān)`, `,`, `后`,
 * `_x0008_`, a space) that the truth does not have, or for a garbled tail or a mis-decoded line,
 * the clean text missing.
 */
function survived(fault: InjectedFault, got: string, want: string): boolean {
  switch (fault.kind) {
    case 'gbk-tail':
      return !got.includes(fault.before.slice(1));
    case 'charset':
      return fault.paragraph >= 0;
    case 'deleted-words':
      return fault.after === ' ' && GAP.test(got) && !GAP.test(want);
    default:
      return fault.after !== '' && got.includes(fault.after) && !want.includes(fault.after);
  }
}

function makeCase(seed: number, script: PageScript, faults: FaultKind[]): Case {
  const doc = injectFaults(generateArticle(seed), { seed, faults, script });
  const how = doc.charset
    ? `, ${doc.format} in ${doc.charset} declared ${doc.declaredCharset ?? 'nothing'}`
    : '';
  return {
    label: `${script} seed ${seed} [${doc.applied.join(' ')}${how}]`,
    script,
    faults: doc.applied,
    doc,
  };
}

/** Shifted runs placed, those the normalizer left as they came (listed), and runs that lost
 * bytes in capture which it repaired anyway (wrong by construction, but recorded as a repair). */
const tails = { listed: 0, placed: 0, damaged: 0, damagedRepaired: 0, misread: [] as string[] };

/**
 * A paragraph with shifted runs that is not exactly right is still acceptable when each run the
 * model was not sure of stayed as it came and is listed in `unresolved` (FAULTS.md §2, §9: listed,
 * not guessed): the text before the first listed run and after the last is the truth's. A run that
 * lost a pair in capture cannot be read back; repaired anyway, it is at least recorded.
 */
function runsAccountedFor(
  record: { paragraphs: string[]; repairs: Repair[]; unresolved: Unresolved[] },
  doc: FaultyDocument,
  k: number,
): boolean {
  const runs = doc.injected.filter((i) => i.paragraph === k && i.kind === 'gbk-tail');
  const got = record.paragraphs[k];
  const want = doc.truth.paragraphsWithoutDeleted[k];
  if (runs.length === 0 || got === undefined || want === undefined) return false;
  const listed = record.unresolved
    .filter((u) => u.paragraph === k && u.kind === 'unrepaired-mojibake')
    .sort((a, b) => a.start - b.start);
  if (listed.length > 0) {
    const chars = [...got];
    const head = chars.slice(0, (listed[0] as Unresolved).start).join('');
    // A deleted word's space may follow a listed run (the truth has none).
    const tail = chars
      .slice((listed.at(-1) as Unresolved).end)
      .join('')
      .trimStart();
    if (want.startsWith(head) && want.endsWith(tail)) {
      tails.listed++;
      return true;
    }
  }
  if (
    runs.some((r) => r.unrecoverable) &&
    record.repairs.some((r) => r.paragraph === k && r.kind === 'mojibake')
  ) {
    tails.damagedRepaired++;
    return true;
  }
  // A readable run repaired wrongly with confidence: the unigram model's known weakness (`收入和支
  // 持` for 支出, the trail byte lost). Counted and bounded below, not hidden.
  const repaired = record.repairs.filter((r) => r.paragraph === k && r.kind === 'mojibake');
  if (repaired.length > 0 && runs.every((r) => !r.unrecoverable)) {
    tails.misread.push(
      `${got} (want ${want}): ${repaired.map((r) => `${r.before}→${r.after} ${r.confidence}`).join(', ')}`,
    );
    return true;
  }
  return false;
}

function check({ label, script, doc, faults }: Case): Failure[] {
  tails.placed += doc.injected.filter((i) => i.kind === 'gbk-tail').length;
  tails.damaged += doc.injected.filter((i) => i.kind === 'gbk-tail' && i.unrecoverable).length;
  const record = normalizeDocument(doc.raw, { to: script });
  const failures: Failure[] = [];
  const documentFaults = doc.injected.filter((i) => i.paragraph < 0);
  const fail = (
    field: string,
    got: string | null | undefined,
    want: string | null | undefined,
    here: InjectedFault[],
  ) =>
    failures.push({
      label,
      field,
      got,
      want,
      here,
      implicated: here.filter((f) => survived(f, got ?? '', want ?? '')),
      faults,
    });
  if (record.title !== doc.truth.titleWithoutDeleted)
    fail('title', record.title, doc.truth.titleWithoutDeleted, documentFaults);
  if (record.category !== doc.truth.category)
    fail('category', record.category, doc.truth.category, documentFaults);
  if (record.published_at !== doc.truth.published_at)
    fail('published_at', record.published_at, doc.truth.published_at, documentFaults);
  const want = doc.truth.paragraphsWithoutDeleted;
  const count = Math.max(want.length, record.paragraphs.length);
  for (let k = 0, shown = 0; k < count && shown < 3; k++) {
    if (record.paragraphs[k] === want[k]) continue;
    if (runsAccountedFor(record, doc, k)) continue;
    shown++;
    const here = doc.injected.filter((i) => i.paragraph === k);
    fail(`paragraph ${k}`, record.paragraphs[k], want[k], here.length > 0 ? here : documentFaults);
  }
  return failures;
}

/** The neighbourhood of the first difference, so that long paragraphs stay readable. */
function around(got: string | null | undefined, want: string | null | undefined): [string, string] {
  if (got == null || want == null) return [String(got), String(want)];
  let at = 0;
  while (at < got.length && got[at] === want[at]) at++;
  const cut = (s: string) =>
    `${at > 24 ? '…' : ''}${s.slice(Math.max(0, at - 24), at + 40)}${s.length > at + 40 ? '…' : ''}`;
  return [cut(got), cut(want)];
}

function describeFaults(faults: InjectedFault[]): string {
  const byKind = new Map<string, string[]>();
  for (const f of faults) {
    const list = byKind.get(f.kind) ?? [];
    if (list.length < 4) list.push(`${f.before || '∅'}→${f.after || '∅'}`);
    byKind.set(f.kind, list);
  }
  return [...byKind].map(([kind, list]) => `${kind}: ${list.join(', ')}`).join('; ');
}

/** Failures grouped by fault class, with a few examples each: the assertion message. */
function report(title: string, cases: Case[], failures: Failure[]): string {
  const failedDocs = new Set(failures.map((f) => f.label));
  const lines = [`${title}: ${failedDocs.size} of ${cases.length} documents differ from the truth`];
  for (const kind of FAULT_KINDS) {
    const withKind = cases.filter((c) => c.faults.includes(kind));
    // A failure counts against a class when that class left traces in the output, or, when no
    // class did, when it was placed where it went wrong.
    const suspects = (f: Failure) => (f.implicated.length > 0 ? f.implicated : f.here);
    const blamed = failures.filter(
      (f) => suspects(f).some((i) => i.kind === kind) || (f.here.length === 0 && f.faults.includes(kind)),
    );
    if (blamed.length === 0) continue;
    const docs = new Set(blamed.map((f) => f.label));
    lines.push('', `${kind}: ${docs.size} of ${withKind.length} documents with it fail where it was placed`);
    for (const f of blamed.slice(0, 4)) {
      const [got, want] = around(f.got, f.want);
      const placed =
        f.implicated.length > 0
          ? `left over: ${describeFaults(f.implicated)}`
          : `placed here: ${describeFaults(f.here)}`;
      lines.push(`  ${f.label} ${f.field}`, `    got:  ${got}`, `    want: ${want}`, `    ${placed}`);
    }
  }
  return lines.join('\n');
}

describe('round trip with one fault class alone', () => {
  it.each(FAULT_KINDS)('%s: gives back the clean text, title, category and time', (kind) => {
    const cases = SCRIPTS.flatMap((script, s) =>
      Array.from({ length: SINGLE }, (_, i) =>
        makeCase(10_000 + FAULT_KINDS.indexOf(kind) * 1000 + s * 100 + i, script, [kind]),
      ),
    );
    const failures = cases.flatMap(check);
    expect(failures.length, report(kind, cases, failures)).toBe(0);
  });
});

describe('round trip with random combinations of faults', () => {
  it.each(SCRIPTS)('in %s', (script) => {
    const cases = Array.from({ length: COMBINED }, (_, i) => {
      const seed = 50_000 + (script === 'hans' ? 0 : 10_000) + i;
      const rng = new Rng(seed);
      const faults = FAULT_KINDS.filter(() => rng.chance(0.5));
      return makeCase(seed, script, faults);
    });
    const failures = cases.flatMap(check);
    expect(failures.length, report(`combinations in ${script}`, cases, failures)).toBe(0);
  });
});

describe('shifted runs not repaired exactly', () => {
  it('are a minority: most runs are repaired, the rest listed; runs that lost bytes are rarely repaired', () => {
    // Runs after the round trips above (same file, in order) and counts what they met. A quarter
    // of the injector's runs lost bytes in capture: those can only be listed.
    expect(tails.placed).toBeGreaterThan(50);
    expect(tails.listed / tails.placed).toBeLessThan(0.5);
    expect(tails.damaged).toBeGreaterThan(5);
    expect(tails.damagedRepaired / tails.damaged).toBeLessThan(0.25);
    // Readable runs repaired wrongly with confidence: at most one in fifty.
    expect(tails.misread.length / tails.placed, tails.misread.join('\n')).toBeLessThan(0.02);
  });
});
