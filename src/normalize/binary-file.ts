/**
 * A file of typed arrays built at build time and loaded with one read (the language model's table,
 * the deleted-word dictionary index): a 4-byte magic, the header's length (uint32 LE), the header
 * (JSON: what the arrays were built from, their sizes), then each array at an 8-byte-aligned
 * offset. Loaded arrays are views of the file's bytes, not copies.
 *
 * Worker threads share one copy: the thread that starts them reads the files into
 * SharedArrayBuffers (`sharedFileBytes`) and hands them over; each thread then reads its arrays
 * from those bytes (`useSharedFileBytes`) instead of the file, which saves its memory and the page
 * faults of a fresh copy (on this kind of virtual machine, ~4 ms a megabyte).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';

/** Files' bytes handed to this thread by the one that started it, by path. */
const handed = new Map<string, Uint8Array>();
/** Files this thread has read into shared memory, by path. */
const sharedHere = new Map<string, Uint8Array>();

/**
 * The bytes of each of `files` that exists, in SharedArrayBuffers read once per thread: for
 * `workerData`, so that worker threads read their arrays from them (`useSharedFileBytes`).
 */
export function sharedFileBytes(files: readonly string[]): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const file of files) {
    let bytes = handed.get(file) ?? sharedHere.get(file);
    if (!bytes) {
      let fd: number;
      try {
        fd = openSync(file, 'r');
      } catch {
        continue; // a missing file: each thread says so, and builds what it lacks
      }
      try {
        bytes = new Uint8Array(new SharedArrayBuffer(fstatSync(fd).size));
        for (let at = 0; at < bytes.length; ) {
          const read = readSync(fd, bytes, at, bytes.length - at, at);
          if (read === 0) break;
          at += read;
        }
      } finally {
        closeSync(fd);
      }
      sharedHere.set(file, bytes);
    }
    out[file] = bytes;
  }
  return out;
}

/** Reads the files of `shared` (from `sharedFileBytes` in the starting thread) from those bytes. */
export function useSharedFileBytes(shared: Record<string, Uint8Array> | undefined): void {
  for (const [file, bytes] of Object.entries(shared ?? {})) handed.set(file, bytes);
}

type TypedArray = Int32Array | Uint8Array | Float32Array | Float64Array | Uint16Array | Uint32Array;

const align8 = (n: number) => (n + 7) & ~7;

/** Writes `header` and `arrays` (in this order) to `file`; returns its size in bytes. */
export function writeArraysFile(file: string, magic: string, header: object, arrays: TypedArray[]): number {
  const headerBytes = Buffer.from(JSON.stringify({ ...header, arrays: arrays.map((a) => a.byteLength) }));
  const parts: Buffer[] = [Buffer.from(magic, 'latin1'), Buffer.alloc(4), headerBytes];
  (parts[1] as Buffer).writeUInt32LE(headerBytes.length);
  let length = 8 + headerBytes.length;
  for (const array of arrays) {
    parts.push(Buffer.alloc(align8(length) - length));
    length = align8(length) + array.byteLength;
    parts.push(Buffer.from(array.buffer, array.byteOffset, array.byteLength));
  }
  const bytes = Buffer.concat(parts);
  writeFileSync(file, bytes);
  return bytes.length;
}

export interface ArraysFile<H> {
  header: H;
  /** The bytes of the `index`-th array: the buffer, the offset in it (a multiple of 8), the length. */
  bytes(index: number): [ArrayBuffer, number, number];
}

/** The file's header and arrays, or why it cannot be used (missing, not such a file, truncated). */
export function readArraysFile<H>(file: string, magic: string): ArraysFile<H> | string {
  let data: Buffer;
  try {
    const bytes = handed.get(file) ?? sharedHere.get(file);
    data = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) : readFileSync(file);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (error as Error).message;
  }
  return parseArraysFile<H>(data, magic);
}

/** `readArraysFile` of bytes already in memory (a file decompressed), or why they cannot be used. */
export function parseArraysFile<H>(data: Buffer, magic: string): ArraysFile<H> | string {
  if (data.length < 8 || data.toString('latin1', 0, 4) !== magic) return 'not a file of this kind';
  const headerLength = data.readUInt32LE(4);
  const header = JSON.parse(data.toString('utf8', 8, 8 + headerLength)) as H & { arrays: number[] };
  const offsets: number[] = [];
  let at = 8 + headerLength;
  for (const length of header.arrays) {
    at = align8(at);
    offsets.push(at);
    at += length;
  }
  if (at !== data.length) return `${data.length} bytes, expected ${at}`;
  return {
    header,
    bytes(index) {
      const start = data.byteOffset + (offsets[index] as number);
      const length = header.arrays[index] as number;
      // A file read at once starts its buffer: its aligned offsets stay aligned. Otherwise, a copy.
      if (start % 8 === 0) return [data.buffer as ArrayBuffer, start, length];
      return [data.buffer.slice(start, start + length) as ArrayBuffer, 0, length];
    },
  };
}
