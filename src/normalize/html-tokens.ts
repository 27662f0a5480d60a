/**
 * Linear passes over a page's tags, before (or instead of) building its tree.
 *
 * An HTML tree builder does work in proportion to the depth of the open elements for each tag
 * (parse5 looks for a `<p>` to close through every open element; domutils' searches keep a stack
 * as deep as the tree), so 30,000 nested `<div>`s cost 30,000² steps. `flattenDeepHtml` keeps the
 * tree builder's depth bounded: a start tag that would open an element deeper than `LIMITS.htmlDepth`
 * is left out, with its end tag, so that its content goes to the element at the limit, the way a
 * browser lifts elements past its own limit. Likewise inline formatting elements left open beyond
 * `LIMITS.htmlFormatting` (the tree builder reopens every one of them in each new paragraph).
 * Only markup goes; every character of text stays, in order.
 *
 * `readHtmlText` reads a page's text without a tree at all, for pages too large to analyse: block
 * elements and `<br>` end paragraphs, and what is never text (scripts, styles, ...) is skipped.
 *
 * Both run htmlparser2's tokenizer, which reads each character once. The depth of open elements
 * is estimated the way a tree builder would count it (void elements, `<p>`/`<li>`/`<td>`… closed by
 * the next one, end tags closing what they close): an estimate that errs towards deeper, so that
 * the real tree is never deeper than the limit.
 */
import { Tokenizer } from 'htmlparser2';
import { LIMITS } from './limits.js';

const VOID = new Set(
  'area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr'.split(
    ' ',
  ),
);
/** Elements whose start tag closes an open `<p>`. */
const CLOSES_P = new Set(
  (
    'address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer form ' +
    'h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul li dd dt listing xmp plaintext'
  ).split(' '),
);
/**
 * Start tags that close an open element of their group (`<li>` the previous `<li>`...), looked
 * for down to the first element of the second set.
 */
const TABLE = ['table', 'template', 'html'];
const CLOSES_OWN: Record<string, [Set<string>, Set<string>]> = {
  li: [new Set(['li']), new Set(['ul', 'ol', 'menu', ...TABLE])],
  dt: [new Set(['dt', 'dd']), new Set(['dl', ...TABLE])],
  dd: [new Set(['dt', 'dd']), new Set(['dl', ...TABLE])],
  option: [new Set(['option']), new Set(['select', 'datalist', ...TABLE])],
  optgroup: [new Set(['option', 'optgroup']), new Set(['select', ...TABLE])],
  td: [new Set(['td', 'th']), new Set(['tr', 'tbody', 'thead', 'tfoot', ...TABLE])],
  th: [new Set(['td', 'th']), new Set(['tr', 'tbody', 'thead', 'tfoot', ...TABLE])],
  tr: [new Set(['tr']), new Set(['tbody', 'thead', 'tfoot', ...TABLE])],
  tbody: [new Set(['tbody', 'thead', 'tfoot']), new Set(TABLE)],
  thead: [new Set(['tbody', 'thead', 'tfoot']), new Set(TABLE)],
  tfoot: [new Set(['tbody', 'thead', 'tfoot']), new Set(TABLE)],
  a: [new Set(['a']), new Set(TABLE)],
  button: [new Set(['button']), new Set(TABLE)],
  nobr: [new Set(['nobr']), new Set(TABLE)],
};
/** Elements nothing is looked for beyond (the tree builder's scope boundaries). */
const SCOPE = new Set(
  'html table td th caption marquee object applet template svg math foreignobject select button ul ol dl'.split(
    ' ',
  ),
);
/**
 * Elements an end tag of an inline element does not close (the spec's "special" elements): `</b>`
 * inside `<div>` inside `<b>` is ignored.
 */
const SPECIAL = new Set(
  (
    'address applet area article aside base basefont bgsound blockquote body br button caption center col ' +
    'colgroup dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 ' +
    'h5 h6 head header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav ' +
    'noembed noframes noscript object ol p param plaintext pre script search section select source style ' +
    'summary table tbody td template textarea tfoot th thead title tr track ul wbr xmp'
  ).split(' '),
);
/** Elements that end a paragraph (as in `html.ts`). */
const BLOCKS = new Set(
  (
    'p h1 h2 h3 h4 h5 h6 li ul ol dl dt dd div blockquote td th tr table tbody thead tfoot caption ' +
    'section article header footer aside nav main pre figure figcaption hr address center form fieldset'
  ).split(' '),
);

/** Inline formatting elements, which a tree builder reopens in each block until they are closed. */
const FORMATTING = new Set('a b big code em font i nobr s small strike strong tt u'.split(' '));
/** Elements that fence off the formatting elements opened inside them (the spec's markers). */
const MARKERS = new Set('td th caption object applet marquee template'.split(' '));
/** Elements whose content is foreign (a self-closing tag there really closes). */
const FOREIGN = new Set(['svg', 'math']);
/**
 * How far down the open elements a tag looks for what it closes: past the formatting elements a
 * tree builder may have reopened above it, and then some.
 */
const LOOKBACK = 4 * LIMITS.htmlFormatting + 64;

export interface FlattenedHtml {
  /** The page, without the start and end tags left out (the page itself when none). */
  html: string;
  /** Start tags left out. */
  lifted: number;
  /** Elements a tree builder would make of the page (void elements and reopened ones included). */
  elements: number;
}

/** An open element, as the estimate sees it. */
interface Open {
  name: string;
  /** Its start tag was left out: its end tag goes too. */
  lifted: boolean;
  /** Its entry among the open formatting elements, if it is one. */
  formatting?: Formatting;
}

/** A formatting element not yet closed by its end tag (on the stack, or waiting to be reopened). */
interface Formatting {
  name: string;
  /** The start tag as written: three alike at most are kept (the spec's Noah's Ark clause). */
  tag: string;
  open: Open | undefined;
}
const MARKER = 'marker';

/** Noop callbacks of the tokenizer, for the ones a pass does not need. */
const IGNORE = {
  onattribdata() {},
  onattribentity() {},
  onattribend() {},
  onattribname() {},
  oncdata() {},
  oncomment() {},
  ondeclaration() {},
  onprocessinginstruction() {},
  onend() {},
  ontext() {},
  ontextentity() {},
};

/**
 * The tree builder's open elements and open formatting elements, as far as the estimate needs
 * them, and the tags left out to keep them bounded.
 */
class NestingEstimate {
  readonly stack: Open[] = [];
  readonly formatting: (Formatting | typeof MARKER)[] = [];
  /** End tags still to leave out, by name, for formatting start tags left out. */
  readonly dropped = new Map<string, number>();
  /**
   * Each tag left out, in order: start, end, and 1 when a `<br>` takes its place (a block's tags:
   * its paragraph stays a paragraph of its own), else 0.
   */
  readonly cuts: number[] = [];
  foreign = 0;
  elements = 0;
  lifted = 0;
  tagName = '';
  tagStart = 0;

  constructor(
    private readonly html: string,
    private readonly maxDepth: number,
    private readonly maxFormatting: number,
  ) {}

  cut(start: number, end: number, name: string): void {
    this.cuts.push(start, end, BLOCKS.has(name) ? 1 : 0);
  }

  afterMarker(): number {
    return this.formatting.lastIndexOf(MARKER) + 1;
  }

  unlist(entry: Formatting): void {
    const at = this.formatting.lastIndexOf(entry);
    if (at !== -1) this.formatting.splice(at, 1);
  }

  popTo(index: number): void {
    const { stack, formatting } = this;
    for (let i = stack.length - 1; i >= index; i--) {
      const open = stack[i] as Open;
      if (FOREIGN.has(open.name)) this.foreign--;
      if (open.formatting) open.formatting.open = undefined;
      if (MARKERS.has(open.name) && !open.lifted) {
        const marker = formatting.lastIndexOf(MARKER);
        if (marker !== -1) formatting.length = marker;
      }
    }
    stack.length = index;
  }

  /** The nearest open element named `names` above any element of `stopAt`, within `LOOKBACK`. */
  find(names: Set<string> | string, stopAt: Set<string>): number {
    const { stack } = this;
    const floor = Math.max(0, stack.length - LOOKBACK);
    for (let i = stack.length - 1; i >= floor; i--) {
      const name = (stack[i] as Open).name;
      if (typeof names === 'string' ? name === names : names.has(name)) return i;
      if (stopAt.has(name)) return -1;
    }
    return -1;
  }

  push(name: string, cut: boolean, entry?: Formatting): Open {
    const open: Open = { name, lifted: cut };
    if (entry) {
      open.formatting = entry;
      entry.open = open;
    }
    this.stack.push(open);
    if (FOREIGN.has(name)) this.foreign++;
    if (MARKERS.has(name) && !cut) this.formatting.push(MARKER);
    return open;
  }

  /** Formatting elements closed by something else are opened again before new inline content. */
  reopen(): void {
    const { formatting } = this;
    const last = formatting.at(-1);
    if (last === undefined || last === MARKER || last.open) return;
    let from = formatting.length - 1;
    while (from > 0) {
      const before = formatting[from - 1];
      if (before === undefined || before === MARKER || before.open) break;
      from--;
    }
    for (let i = from; i < formatting.length; i++) {
      this.elements++;
      this.push((formatting[i] as Formatting).name, false, formatting[i] as Formatting);
    }
  }

  startTag(selfClosing: boolean, end: number): void {
    this.elements++;
    const name = this.tagName;
    this.closeBefore(name);
    if (!SPECIAL.has(name)) this.reopen();
    if (VOID.has(name) || (selfClosing && this.foreign > 0)) return;
    if (this.stack.length >= this.maxDepth) {
      this.cut(this.tagStart, end, name);
      this.lifted++;
      this.push(name, true);
      return;
    }
    if (name === 'tr' && this.stack.at(-1)?.name === 'table') this.push('tbody', false); // the tree builder's own
    if (!FORMATTING.has(name)) {
      this.push(name, false);
      return;
    }
    this.openFormatting(name, end);
  }

  /** What a start tag closes first: an open `<p>`, an element of its own kind, an open `<a>`. */
  private closeBefore(name: string): void {
    if (CLOSES_P.has(name)) {
      const p = this.find('p', SCOPE);
      if (p !== -1) this.popTo(p);
    }
    const own = CLOSES_OWN[name];
    if (own) {
      const at = this.find(own[0], own[1]);
      if (at !== -1) this.popTo(at);
    }
    if (name === 'a')
      for (let i = this.formatting.length - 1, from = this.afterMarker(); i >= from; i--) {
        const entry = this.formatting[i] as Formatting;
        if (entry.name === 'a') {
          this.unlist(entry);
          break;
        }
      }
  }

  private openFormatting(name: string, end: number): void {
    const { formatting } = this;
    const tag = this.html.slice(this.tagStart, end);
    const from = this.afterMarker();
    let alike = 0;
    for (let i = formatting.length - 1; i >= from; i--) {
      const entry = formatting[i] as Formatting;
      if (entry.tag === tag && ++alike >= 3) {
        this.unlist(entry);
        break;
      }
    }
    if (formatting.length - from >= this.maxFormatting) {
      this.cut(this.tagStart, end, name);
      this.lifted++;
      this.dropped.set(name, (this.dropped.get(name) ?? 0) + 1);
      return;
    }
    const entry: Formatting = { name, tag, open: undefined };
    formatting.push(entry);
    this.push(name, false, entry);
  }

  endTag(name: string, span: readonly [number, number]): void {
    if (FORMATTING.has(name) && this.endFormatting(name, span)) return;
    const at = this.find(name, SPECIAL.has(name) ? SCOPE : SPECIAL);
    if (at === -1) return;
    if ((this.stack[at] as Open).lifted) this.cut(span[0], span[1], name);
    this.popTo(at);
  }

  /** A formatting element's end tag; false when no open formatting element takes it. */
  private endFormatting(name: string, span: readonly [number, number]): boolean {
    const left = this.dropped.get(name) ?? 0;
    if (left > 0) {
      this.dropped.set(name, left - 1);
      this.cut(span[0], span[1], name);
      return true;
    }
    let entry: Formatting | undefined;
    const from = this.afterMarker();
    for (let i = this.formatting.length - 1; i >= from && !entry; i--) {
      const at = this.formatting[i] as Formatting;
      if (at.name === name) entry = at;
    }
    if (!entry) return false;
    const open = entry.open;
    this.unlist(entry);
    if (!open) return true;
    const floor = Math.max(0, this.stack.length - LOOKBACK);
    for (let i = this.stack.length - 1; i >= floor; i--)
      if (this.stack[i] === open) {
        this.popTo(i);
        return true;
      }
    return true;
  }
}

/** Bounds the nesting a tree builder will see (see the module comment). Linear in the page. */
export function flattenDeepHtml(
  html: string,
  maxDepth: number = LIMITS.htmlDepth,
  maxFormatting: number = LIMITS.htmlFormatting,
): FlattenedHtml {
  const estimate = new NestingEstimate(html, maxDepth, maxFormatting);
  const tokenizer = new Tokenizer(
    { decodeEntities: false },
    {
      ...IGNORE,
      onopentagname(start, end) {
        estimate.tagName = html.slice(start, end).toLowerCase();
        estimate.tagStart = start - 1;
      },
      onopentagend(end) {
        estimate.startTag(false, end + 1);
      },
      onselfclosingtag(end) {
        estimate.startTag(true, end + 1);
      },
      onclosetag(start, end) {
        const gt = html.indexOf('>', end);
        estimate.endTag(html.slice(start, end).toLowerCase(), [start - 2, gt === -1 ? html.length : gt + 1]);
      },
      ontext() {
        estimate.reopen();
      },
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  const { cuts, lifted, elements } = estimate;
  if (cuts.length === 0) return { html, lifted: 0, elements };
  return { html: withoutCuts(html, cuts), lifted, elements };
}

/** The page without the tags left out, a `<br>` where a block's tags were. */
function withoutCuts(html: string, cuts: readonly number[]): string {
  const parts: string[] = [];
  let at = 0;
  /** A `<br>` ends what was written so far: tags cut one after the other need only one. */
  let broken = false;
  for (let i = 0; i < cuts.length; i += 3) {
    const start = cuts[i] as number;
    const end = cuts[i + 1] as number;
    if (start < at) continue;
    if (start > at) {
      parts.push(html.slice(at, start));
      broken = false;
    }
    if (cuts[i + 2] === 1 && !broken) {
      parts.push('<br>');
      broken = true;
    }
    at = end;
  }
  parts.push(html.slice(at));
  return parts.join('');
}

/** Elements whose content is never text of the page (as `html.ts` reads them). */
const NEVER_TEXT = new Set(
  'script style noscript iframe template object embed svg canvas button select textarea rt rp rtc'.split(' '),
);
export interface HtmlText {
  /** The text of `<title>`, else of the first `<h1>`, as it came. */
  title: string;
  /** The text between block boundaries, as it came (whitespace not collapsed), empty ones too. */
  blocks: string[];
  /** What was skipped as never text: element name and the start of its content. */
  skipped: { what: string; text: string }[];
}

/** The text of a page, read without building a tree. Linear in the page. */
export function readHtmlText(html: string, maxSkipped = 100): HtmlText {
  const blocks: string[] = [];
  const skipped: HtmlText['skipped'] = [];
  let buffer: string[] = [];
  /** The never-text element being skipped, and how deep in it (same-name nesting). */
  let skipping = '';
  let skipDepth = 0;
  let skippedText = '';
  let titleText: string[] | undefined;
  let title = '';
  let inH1 = false;
  let h1: string[] = [];
  let tagName = '';

  const flush = () => {
    if (buffer.length > 0) blocks.push(buffer.join(''));
    buffer = [];
  };
  const text = (value: string) => {
    if (skipping) {
      if (skippedText.length < 80) skippedText += value.slice(0, 80);
    } else if (titleText) titleText.push(value);
    else {
      buffer.push(value);
      if (inH1) h1.push(value);
    }
  };
  const open = (name: string, selfClosing: boolean) => {
    if (skipping) {
      if (name === skipping && !selfClosing) skipDepth++;
      return;
    }
    if (NEVER_TEXT.has(name) && !selfClosing && !VOID.has(name)) {
      skipping = name;
      skipDepth = 1;
      skippedText = '';
      return;
    }
    if (name === 'title' && !selfClosing) titleText = [];
    else if (name === 'h1' && !title && !selfClosing) inH1 = true;
    if (BLOCKS.has(name) || name === 'br') flush();
  };
  const close = (name: string) => {
    if (skipping) {
      if (name === skipping && --skipDepth === 0) {
        if (skipped.length < maxSkipped) skipped.push({ what: skipping, text: skippedText });
        skipping = '';
      }
      return;
    }
    if (name === 'title' && titleText) {
      title ||= titleText.join('');
      titleText = undefined;
    } else if (name === 'h1' && inH1) {
      inH1 = false;
      h1 = h1.length > 0 ? h1 : [];
    }
    if (BLOCKS.has(name)) flush();
  };

  const tokenizer = new Tokenizer(
    { decodeEntities: true },
    {
      ...IGNORE,
      onopentagname(start, end) {
        tagName = html.slice(start, end).toLowerCase();
      },
      onopentagend() {
        open(tagName, false);
      },
      onselfclosingtag() {
        open(tagName, true);
      },
      onclosetag(start, end) {
        close(html.slice(start, end).toLowerCase());
      },
      ontext(start, end) {
        text(html.slice(start, end));
      },
      ontextentity(codepoint) {
        text(String.fromCodePoint(codepoint));
      },
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  if (titleText) title ||= titleText.join('');
  flush();
  return { title: title || h1.join(''), blocks, skipped };
}
