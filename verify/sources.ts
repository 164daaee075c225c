// Where the verify command reads the published files: a folder (the file store's) or a URL (the CDN
// or bucket the page reads). A file that is not there reads as null; any other failure throws.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { answersMissing } from '../shared/archive-files.ts';
import { readCapped } from '../shared/read-capped.ts';

export type Source = { description: string; snapshotName: string; read(name: string): Promise<Uint8Array<ArrayBuffer> | null> };

const isUrl = (value: string) => /^https?:\/\//i.test(value);

/** `where` names the folder or URL prefix, or the snapshot file itself (its name is then taken). */
export async function openSource(where: string): Promise<Source> {
  if (isUrl(where)) {
    // the files are found beside the snapshot, by path: a query or fragment names none of them
    const url = new URL(where);
    [url.search, url.hash] = ['', ''];
    const named = /\.json$/i.test(url.pathname);
    const base = new URL(named || url.pathname.endsWith('/') ? './' : `${url.pathname}/`, url);
    const snapshotName = named ? basename(url.pathname) : 'governance-status.json';
    return { description: base.href, snapshotName, read: (name) => fetchBytes(new URL(name, base)) };
  }
  const path = resolve(where);
  const named = (await stat(path)).isFile();
  const folder = named ? dirname(path) : path;
  return { description: folder, snapshotName: named ? basename(path) : 'governance-status.json', read: (name) => readBytes(join(folder, name)) };
}

/**
 * The most bytes read of one file: well above the largest the worker writes (recent.json, about 16
 * MiB at most; the verify command reads the index and the days, each far smaller), so a hostile or
 * broken server or folder cannot make the command hold gigabytes. A larger file stops it (exit 2).
 */
export const readMaxBytes = 67_108_864;
const tooLarge = (name: string) => new Error(`${name} is larger than ${readMaxBytes} bytes, more than any file the worker publishes`);

async function fetchBytes(url: URL): Promise<Uint8Array<ArrayBuffer> | null> {
  // no-store: a copy cached before the last write would make the file and its signature disagree
  const response = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(30_000) });
  if (answersMissing(response.status, response.headers.get('content-type'))) return (await response.body?.cancel(), null);
  if (!response.ok) throw new Error(`${url.href} answered HTTP ${response.status}`);
  return (await readCapped(response, readMaxBytes)) ?? Promise.reject(tooLarge(url.href));
}

async function readBytes(path: string): Promise<Uint8Array<ArrayBuffer> | null> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of createReadStream(path, { end: readMaxBytes })) chunks.push(chunk as Buffer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.length > readMaxBytes) throw tooLarge(path);
  return new Uint8Array(bytes);
}

/** The --key argument: a JWK file or URL. */
export async function readKey(where: string): Promise<unknown> {
  const bytes = isUrl(where) ? await fetchBytes(new URL(where)) : await readBytes(resolve(where));
  if (bytes === null) throw new Error(`the key ${where} is missing`);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error(`the key ${where} is not JSON (a JWK, like governance-signing-key.json)`);
  }
}
