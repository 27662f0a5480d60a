/** The crawl's HTTP client against a real server: redirects, limits, timeouts, compression, safety. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/crawl/errors.js';
import { SafeHttpClient, type SafeHttpClientOptions } from '../../src/crawl/http-client.js';

let server: http.Server;
let origin: string;
const seen: string[] = [];
const body = Buffer.from('<html><body><p>正文</p></body></html>');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push(path);
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (hop) {
      const n = Number(hop[1]);
      res.writeHead(
        n === 0 ? 200 : 302,
        n === 0 ? { 'content-type': 'text/html' } : { location: `/hop/${n - 1}` },
      );
      res.end(n === 0 ? body : undefined);
    } else if (path === '/gzip') {
      const zipped = gzipSync(body);
      res.writeHead(200, {
        'content-type': 'text/html',
        'content-encoding': 'gzip',
        'content-length': zipped.length,
      });
      res.end(zipped);
    } else if (path === '/big') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': 8192 });
      res.end(Buffer.alloc(8192, 'a'));
    } else if (path === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write(Buffer.alloc(3000, 'a'));
      res.end(Buffer.alloc(3000, 'a'));
    } else if (path === '/slow-headers') {
      setTimeout(() => res.end('late'), 2_000).unref();
    } else if (path === '/slow-body') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<p>start');
      setTimeout(() => res.end('</p>'), 2_000).unref();
    } else if (path === '/to-ftp') {
      res.writeHead(301, { location: 'ftp://files.example/x' });
      res.end();
    } else if (path === '/to-other') {
      res.writeHead(301, { location: 'http://other.example/x' });
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(options: Partial<SafeHttpClientOptions> = {}) {
  return new SafeHttpClient({
    allowPrivateNetworks: true,
    userAgent: 'finfaq-crawler/test',
    timeoutMs: 5_000,
    maxBodyBytes: 5_000,
    maxRedirects: 3,
    ...options,
  });
}

async function text(
  c: SafeHttpClient,
  path: string,
): Promise<{ status: number; bytes: Buffer; url: string }> {
  const response = await c.stream({ url: origin + path });
  return { status: response.statusCode, bytes: await buffer(response.stream), url: response.url };
}

async function failure(promise: Promise<unknown>) {
  return describeFailure(await promise.then(() => undefined).catch((e: unknown) => e));
}

describe('SafeHttpClient', () => {
  it('follows redirects, showing each hop first', async () => {
    const hops: string[] = [];
    const c = client({ beforeRedirect: (_from, to) => void hops.push(to.pathname) });
    const result = await text(c, '/hop/3');
    expect(result).toMatchObject({ status: 200, url: `${origin}/hop/0` });
    expect(result.bytes.equals(body)).toBe(true);
    expect(hops).toEqual(['/hop/2', '/hop/1', '/hop/0']);
    c.close();
  });

  it('refuses a hop when told to, too many hops, and non-http(s) targets', async () => {
    const refusing = client({
      beforeRedirect: (_from, to) => {
        if (to.host !== new URL(origin).host) throw new Error(`off-site: ${to.host}`);
      },
    });
    expect((await failure(text(refusing, '/to-other'))).reason).toBe('off-site: other.example');
    expect(await failure(text(refusing, '/hop/5'))).toMatchObject({
      kind: 'redirect',
      reason: 'more than 3 redirects',
    });
    expect((await failure(text(refusing, '/to-ftp'))).kind).toBe('scheme');
    refusing.close();
  });

  it('decompresses gzip', async () => {
    const c = client();
    expect((await text(c, '/gzip')).bytes.equals(body)).toBe(true);
    c.close();
  });

  it('enforces the body limit from Content-Length and while reading', async () => {
    const c = client();
    expect(await failure(text(c, '/big'))).toMatchObject({ kind: 'too-large', retryable: false });
    expect((await failure(text(c, '/big-chunked'))).reason).toMatch(/while reading/);
    c.close();
  });

  it('times out waiting for headers and while reading the body', async () => {
    const c = client({ timeoutMs: 300 });
    expect(await failure(text(c, '/slow-headers'))).toMatchObject({ kind: 'timeout', retryable: true });
    expect(await failure(text(c, '/slow-body'))).toMatchObject({ kind: 'timeout', retryable: true });
    c.close();
  });

  it('connects to nothing private unless allowed', async () => {
    const c = client({ allowPrivateNetworks: false });
    const before = seen.length;
    expect((await failure(text(c, '/hop/0'))).kind).toBe('private-address');
    const byName = await failure(c.stream({ url: origin.replace('127.0.0.1', 'localhost') }));
    expect(byName.kind).toBe('private-address');
    expect(seen.length).toBe(before);
    c.close();
  });
});
