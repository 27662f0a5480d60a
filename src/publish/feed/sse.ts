/**
 * `GET /v1/stream`: Server-Sent Events, the live tail of the feed. Each item is one event:
 *
 *   id: 42
 *   event: record
 *   data: {"id":"…","cursor":"42",…}
 *
 * A client that reconnects sends the last id it saw as `Last-Event-ID` (EventSource does this by
 * itself) and gets everything after it first, then the live tail; `?after=CURSOR` does the same
 * for a first connection. Without either, the stream starts at the current head. New records
 * are found by polling the store (any process may have published them) and, when the server was
 * given the in-process publisher, at once on its `published` event.
 *
 * Memory: pages come from the store's `FeedReads` (reads.ts: shared, size-bounded, items
 * interned) and are written a slice at a time, waiting for the socket to drain; a client that
 * has not taken a slice within `stallMs`, or lets more than `maxBufferedBytes` pile up, is dropped
 * (its connection destroyed) instead of buffered. It reconnects with `Last-Event-ID`.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Script } from '../../records/scripts.js';
import type { FeedReads } from './reads.js';

export interface StreamOptions {
  /** How often to look for new records (ms). */
  pollMs: number;
  /** A comment line this often keeps proxies from closing an idle stream (ms). */
  heartbeatMs: number;
  /** Reconnection delay suggested to clients (ms). */
  retryMs: number;
  /** A client that takes nothing for this long while data waits is dropped (ms). */
  stallMs: number;
  /** A client with more than this many bytes waiting in its buffers is dropped. */
  maxBufferedBytes: number;
}

const PAGE = 200;
/** Written at a time (characters or bytes): a huge item goes out in slices, each after the last drained. */
const SLICE = 64 * 1024;

/**
 * Writes text to a response a slice at a time with backpressure: waits for `drain`, and drops the
 * client (destroys the connection) when it stalls for `stallMs` or its buffers pass
 * `maxBufferedBytes`. `write` resolves false once the client is gone.
 */
export class BoundedWriter {
  private gone = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly limits: { stallMs: number; maxBufferedBytes: number },
  ) {
    response.on('close', () => {
      this.gone = true;
    });
  }

  get closed(): boolean {
    return this.gone || this.response.destroyed || this.response.writableEnded;
  }

  /** Drops the client: nothing more is buffered for it. */
  drop(): void {
    this.gone = true;
    this.response.destroy();
  }

  async write(text: string | Buffer): Promise<boolean> {
    for (let at = 0; at < text.length; at += SLICE) {
      if (this.closed) return false;
      if (this.response.writableLength > this.limits.maxBufferedBytes) {
        this.drop();
        return false;
      }
      const slice =
        at === 0 && text.length <= SLICE
          ? text
          : typeof text === 'string'
            ? text.slice(at, at + SLICE)
            : text.subarray(at, at + SLICE);
      if (!this.response.write(slice) && !(await this.drained())) {
        this.drop();
        return false;
      }
    }
    return !this.closed;
  }

  /** Resolves true on `drain`, false on close or after `stallMs`. */
  private drained(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.response.off('drain', onDrain);
        this.response.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), this.limits.stallMs);
      this.response.on('drain', onDrain);
      this.response.on('close', onClose);
    });
  }
}

/** One open event stream; `close()` ends it from the server side. */
export class EventStream {
  private closed = false;
  private wakeUp: (() => void) | null = null;
  private readonly writer: BoundedWriter;

  constructor(
    private readonly reads: FeedReads,
    private readonly response: ServerResponse,
    private readonly options: StreamOptions,
    private readonly headers: OutgoingHttpHeaders = {},
  ) {
    // The response's `close` (not the request's, which fires once the request is read) is the
    // client going away.
    response.on('close', () => this.close());
    response.on('error', () => this.close());
    this.writer = new BoundedWriter(response, options);
  }

  /** New data may be there: stop waiting. */
  wake(): void {
    this.wakeUp?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    if (!this.response.writableEnded) this.response.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async write(chunk: string | Buffer): Promise<void> {
    if (this.closed) return;
    if (!(await this.writer.write(chunk))) this.close();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = finish;
    });
  }

  /** Sends everything after `cursor`, then the live tail, until either side closes. */
  async run(cursor: number, script: Script | undefined): Promise<void> {
    this.response.writeHead(200, {
      ...this.headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    await this.write(`retry: ${this.options.retryMs}\n: finfaq feed after ${cursor}\n\n`);
    let lastWrite = Date.now();
    let after = cursor;
    while (!this.closed) {
      let page: Awaited<ReturnType<FeedReads['page']>>;
      try {
        page = await this.reads.page(after, PAGE, script);
      } catch {
        // The store is unreachable for now: keep the connection, try again at the next poll.
        page = { items: [], next: after, full: false };
      }
      for (const item of page.items) {
        if (this.closed) return;
        // The item's text is shared with other streams: written as it is, never copied whole.
        await this.write(`id: ${item.seq}\nevent: record\ndata: `);
        await this.write(item.data);
        await this.write('\n\n');
        after = item.seq;
        lastWrite = Date.now();
      }
      if (page.full) continue;
      if (Date.now() - lastWrite >= this.options.heartbeatMs) {
        await this.write(': ping\n\n');
        lastWrite = Date.now();
      }
      await this.sleep(Math.min(this.options.pollMs, this.options.heartbeatMs));
    }
  }
}
