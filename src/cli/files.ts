// Reading and writing files for the command line, where a problem file and an output folder may
// come from anyone: input read with a cap, output written all or nothing, never over an input file
// (compared by identity: device and inode, so neither a symlink nor a hard link hides one), and
// never through a symlink (a file is renamed into place, which replaces a link and not its target).
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A refusal the user can act on: printed as one message, exit status 2. */
export class UsageError extends Error {}

/** The largest problem file convgrad reads: 4 MiB, up to some 2 M numbers (ResNet's first layer in decimals is 1.3 MiB). */
export const MAX_PROBLEM_BYTES = 4 * 1024 * 1024;

export interface OutputFile {
  /** A plain file name, or a name inside one folder of convgrad's ("seed/vectors.json"). */
  readonly name: string;
  readonly contents: string | Uint8Array;
}

/** The largest result document of another engine convgrad reads: 64 MiB (ResNet's first layer's is some 30 MB). */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** The largest .npy file of another engine's tensors convgrad reads: 128 MiB, 16 M doubles. */
export const MAX_TENSOR_BYTES = 128 * 1024 * 1024;

/** The bytes of an open file descriptor, at most `cap`: a longer file is refused unread past the cap. */
function readCapped(fd: number, what: string, cap: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(1 << 16);
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    if (total > cap) throw new UsageError(`${what}: larger than ${cap / 1024 / 1024} MiB, the most convgrad reads`);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/** UTF-8 text, a leading byte-order mark dropped; bytes that are not UTF-8 are refused, with where. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UsageError(`${what}: not UTF-8 text`);
  }
}

/** A file's text and identity; a folder, a missing file or an unreadable one is refused by name ("missing.json: cannot read the problem file (no such file)"). */
export function readInputFile(path: string, shown: string, kind = 'the problem file', cap = MAX_PROBLEM_BYTES): { text: string; identity: Stats } {
  const { bytes, identity } = readFile(path, shown, kind, cap);
  return { text: decodeUtf8(bytes, shown), identity };
}

/** A binary file's bytes, at most `cap`. */
export function readInputBytes(path: string, shown: string, kind: string, cap: number): Buffer {
  return readFile(path, shown, kind, cap).bytes;
}

function readFile(path: string, shown: string, kind: string, cap: number): { bytes: Buffer; identity: Stats } {
  let fd: number;
  try {
    // A FIFO or a socket would wait for a writer that may never come: refused before it is opened.
    const what = statSync(path);
    if (what.isFIFO() || what.isSocket()) throw new UsageError(`${shown}: is a ${what.isFIFO() ? 'named pipe' : 'socket'}, not a file`);
    fd = openSync(path, 'r');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${shown}: cannot read ${kind} (${reason(error)})`);
  }
  try {
    const identity = fstatSync(fd);
    if (identity.isDirectory()) throw new UsageError(`${shown}: is a folder, not a file`);
    return { bytes: readCapped(fd, shown, cap), identity };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${shown}: cannot read ${kind} (${reason(error)})`);
  } finally {
    closeSync(fd);
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a folder' : (error as Error).message;
}

/** A name for a file or folder made from a file name a user chose: letters, digits, . _ - only, never "." or "..", at most 100 characters. */
export function safeName(file: string): string {
  const stem = basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 100);
  return stem === '' ? 'problem' : stem;
}

/**
 * Folders as mkdir -p makes them, one level at a time (Node's recursive mkdir can hang on /proc);
 * the ones it made are added to `made`, deepest last, so that a write that fails can take them back.
 */
function makeFolders(dir: string, shown: string, made: string[]): void {
  let info: Stats | undefined;
  try {
    info = statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--out: cannot use ${shown} (${reason(error)})`);
  }
  if (info) {
    if (!info.isDirectory()) throw new UsageError(`--out: ${shown} is not a folder`);
    return;
  }
  const parent = dirname(dir);
  if (parent !== dir) makeFolders(parent, shown, made);
  try {
    mkdirSync(dir);
    made.push(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`--out: cannot make the folder ${shown} (${reason(error)})`);
  }
}

/** A folder of convgrad's own inside --out (one a problem or a case): made if missing; a link there is not followed. */
function makeOwnFolder(dir: string, shown: string, made: string[]): void {
  let info: Stats | undefined;
  try {
    info = lstatSync(dir);
  } catch {
    mkdirSync(dir);
    made.push(dir);
    return;
  }
  if (info.isSymbolicLink()) throw new UsageError(`--out: ${shown} is a link; convgrad writes into a folder of its own there, and follows no link out of --out`);
  if (!info.isDirectory()) throw new UsageError(`--out: ${shown} is not a folder`);
}

const sameFile = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/**
 * Writes every file into `out` (made if missing), all or none: each is written to a new temporary
 * name in its folder and renamed into place once all are written. A file that exists where one
 * goes is replaced only if it is a plain file or link that is none of `inputs` (a link to one of
 * them counts as one of them); a folder there, or an input, is refused before anything is written,
 * and a write that fails takes back the folders it made.
 */
export function writeAll(cwd: string, out: string, files: readonly OutputFile[], inputs: readonly Stats[]): string[] {
  const dir = resolve(cwd, out);
  const made: string[] = [];
  const undo = () => {
    for (const folder of made.reverse()) removeQuietly(folder, true);
  };
  try {
    makeFolders(dir, out, made);
    const targets = files.map((f) => {
      const parts = f.name.split('/');
      if (parts.length > 2 || parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`internal error: an output name that is not a file name: ${f.name}`);
      return { ...f, path: join(dir, ...parts), shown: join(out, ...parts) };
    });
    for (const folder of new Set(targets.filter((t) => t.name.includes('/')).map((t) => dirname(t.path)))) makeOwnFolder(folder, join(out, basename(folder)), made);
    for (const t of targets) {
      let here: Stats | undefined;
      try {
        here = lstatSync(t.path);
      } catch {
        continue;
      }
      if (here.isDirectory()) throw new UsageError(`--out: ${t.shown} is a folder; convgrad writes a file there`);
      let target: Stats | undefined;
      try {
        target = statSync(t.path);
      } catch {
        target = undefined; // a dangling link: replaced
      }
      if (inputs.some((input) => sameFile(input, here) || (target && sameFile(input, target)))) {
        throw new UsageError(`--out: writing ${t.shown} would overwrite the problem file; choose another --out`);
      }
    }
    const written: string[] = [];
    try {
      for (const t of targets) {
        // A short name of its own beside the target ('wx': new, never one that exists, nor a link planted there).
        const temporary = join(dirname(t.path), `.convgrad-${randomBytes(8).toString('hex')}.tmp`);
        const fd = openSync(temporary, 'wx', 0o644);
        written.push(temporary);
        try {
          const bytes = typeof t.contents === 'string' ? Buffer.from(t.contents, 'utf8') : t.contents;
          for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
        } finally {
          closeSync(fd);
        }
      }
    } catch (error) {
      for (const temporary of written) removeQuietly(temporary);
      throw new UsageError(`--out: cannot write into ${out} (${reason(error)}); nothing was written`);
    }
    targets.forEach((t, k) => renameSync(written[k], t.path));
    return targets.map((t) => t.shown);
  } catch (error) {
    undo();
    throw error;
  }
}

function removeQuietly(path: string, folder = false): void {
  try {
    if (folder) rmdirSync(path);
    else unlinkSync(path);
  } catch {
    // already gone, or (a folder) not empty
  }
}
