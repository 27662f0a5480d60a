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
 */
import type { ServerResponse } from 'node:http';
import type { Script } from '../../normalize/types.js';
import type { Store } from '../store/store.js';
import { toFeedItem } from './items.js';

export interface StreamOptions {
  /** How often to look for new records (ms). */
  pollMs: number;
  /** A comment line this often keeps proxies from closing an idle stream (ms). */
  heartbeatMs: number;
  /** Reconnection delay suggested to clients (ms). */
  retryMs: number;
}

const PAGE = 200;

/** One open event stream; `close()` ends it from the server side. */
export class EventStream {
  private closed = false;
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly store: Store,
    private readonly response: ServerResponse,
    private readonly options: StreamOptions,
  ) {
    // The response's `close` (not the request's, which fires once the request is read) is the
    // client going away.
    response.on('close', () => this.close());
    response.on('error', () => this.close());
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

  private async write(chunk: string): Promise<void> {
    if (this.closed) return;
    if (!this.response.write(chunk))
      await new Promise<void>((resolve) => {
        const done = () => {
          this.response.off('drain', done);
          this.response.off('close', done);
          resolve();
        };
        this.response.on('drain', done);
        this.response.on('close', done);
      });
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
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    await this.write(`retry: ${this.options.retryMs}\n: finfaq feed after ${cursor}\n\n`);
    let lastWrite = Date.now();
    let after = cursor;
    while (!this.closed) {
      let page: Awaited<ReturnType<Store['listFeed']>>;
      try {
        page = await this.store.listFeed(after, PAGE);
      } catch {
        // The store is unreachable for now: keep the connection, try again at the next poll.
        page = { items: [], next: after };
      }
      for (const record of page.items) {
        if (this.closed) return;
        const item = toFeedItem(record, script);
        await this.write(`id: ${item.cursor}\nevent: record\ndata: ${JSON.stringify(item)}\n\n`);
        after = record.seq;
        lastWrite = Date.now();
      }
      if (page.items.length === PAGE) continue;
      if (Date.now() - lastWrite >= this.options.heartbeatMs) {
        await this.write(': ping\n\n');
        lastWrite = Date.now();
      }
      await this.sleep(Math.min(this.options.pollMs, this.options.heartbeatMs));
    }
  }
}
