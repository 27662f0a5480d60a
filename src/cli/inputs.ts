/**
 * The documents `finfaq normalize` reads: files and folders of `.txt`, `.html`/`.htm` (raw bytes)
 * and `.jsonl` raw records, or standard input. Yields documents in input order, one at a time,
 * so a dump of any size is read with flat memory. Problems are reported, never thrown: an
 * unreadable path, a bad entry in a folder (a broken symbolic link, a subfolder that cannot be
 * read) or a broken line is skipped and the rest goes on.
 */
import { createReadStream, type Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { RawDocument } from '../records/raw.js';
import { parseRawRecordLine } from '../records/raw.js';

const DOCUMENT_EXTENSIONS = new Set(['.txt', '.html', '.htm', '.jsonl']);

export interface InputProblem {
  /** `path` or `path:line`. */
  where: string;
  message: string;
  /** True for a path that could not be read at all (the command exits non-zero). */
  fatal: boolean;
}

export type ProblemSink = (problem: InputProblem) => void;

/** Every document file under the given paths, folders expanded in name order. */
export async function expandPaths(
  paths: string[],
  report: ProblemSink,
): Promise<{ path: string; size: number }[]> {
  const files: { path: string; size: number }[] = [];
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (info.isDirectory()) {
        const entries = (await documentsUnder(path, report)).sort((a, b) =>
          a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0,
        );
        for (const { entry, size } of entries) files.push({ path: join(path, entry), size });
      } else files.push({ path, size: info.size });
    } catch (error) {
      report({ where: path, message: describe(error), fatal: true });
    }
  }
  return files;
}

/**
 * The document files under `root` (paths relative to it), walked one folder at a time so that a
 * bad entry costs only itself: a subfolder that cannot be read, a broken symbolic link or a file
 * that cannot be examined is reported (where and why) and the walk goes on. Symbolic links to
 * files are followed; links to folders are not (as `readdir`'s own recursion: no loops).
 */
async function documentsUnder(root: string, report: ProblemSink): Promise<{ entry: string; size: number }[]> {
  const found: { entry: string; size: number }[] = [];
  const folders = [''];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    let entries: Dirent[];
    try {
      entries = await readdir(join(root, folder), { withFileTypes: true });
    } catch (error) {
      report({ where: join(root, folder), message: `folder skipped: ${describe(error)}`, fatal: true });
      continue;
    }
    for (const dirent of entries) {
      const entry = folder === '' ? dirent.name : join(folder, dirent.name);
      if (dirent.isDirectory()) {
        folders.push(entry);
        continue;
      }
      if (!DOCUMENT_EXTENSIONS.has(extname(dirent.name).toLowerCase())) continue;
      try {
        const info = await stat(join(root, entry));
        if (info.isFile()) found.push({ entry, size: info.size });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const message =
          dirent.isSymbolicLink() && (code === 'ENOENT' || code === 'ELOOP')
            ? 'broken symbolic link, skipped'
            : `skipped: ${describe(error)}`;
        report({ where: join(root, entry), message, fatal: true });
      }
    }
  }
  return found;
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file or directory';
  if (e.code === 'EACCES') return 'permission denied';
  if (e.code === 'EISDIR') return 'is a directory';
  return e.message ?? String(error);
}

/** Documents of one JSON Lines stream; a bad line is reported with its number and skipped. */
async function* jsonLines(
  input: NodeJS.ReadableStream,
  where: string,
  report: ProblemSink,
  onBytes: (n: number) => void,
): AsyncGenerator<RawDocument> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  for await (const line of lines) {
    number++;
    onBytes(Buffer.byteLength(line) + 1);
    if (line.trim() === '') continue;
    try {
      yield parseRawRecordLine(line);
    } catch (error) {
      report({ where: `${where}:${number}`, message: (error as Error).message, fatal: false });
    }
  }
}

export async function* readDocuments(
  files: { path: string }[],
  report: ProblemSink,
  onBytes: (n: number) => void = () => {},
): AsyncGenerator<RawDocument> {
  for (const { path } of files) {
    const extension = extname(path).toLowerCase();
    try {
      if (extension === '.jsonl') {
        yield* jsonLines(createReadStream(path), path, report, onBytes);
        continue;
      }
      const body = await readFile(path);
      onBytes(body.length);
      const contentType = extension === '.html' || extension === '.htm' ? 'text/html' : 'text/plain';
      yield { url: pathToFileURL(resolve(path)).href, body, contentType };
    } catch (error) {
      report({ where: path, message: describe(error), fatal: true });
    }
  }
}

/** Standard input: JSON Lines raw records when it starts with `{`, else one document of raw bytes. */
export async function* readStdin(stdin: Readable, report: ProblemSink): AsyncGenerator<RawDocument> {
  const iterator = stdin[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) {
    yield { url: 'stdin:', body: new Uint8Array(0) };
    return;
  }
  const head = Buffer.from(first.value as Buffer);
  const rest = Readable.from(
    (async function* () {
      yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next())
        yield next.value as Buffer;
    })(),
  );
  if (head.toString('utf8', 0, Math.min(head.length, 64)).trimStart().startsWith('{')) {
    yield* jsonLines(rest, '<stdin>', report, () => {});
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of rest) chunks.push(chunk as Buffer);
  yield { url: 'stdin:', body: Buffer.concat(chunks) };
}
