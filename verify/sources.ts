// Where the verify command reads the published files: a folder (the file store's) or a URL (the CDN
// or bucket the page reads). A file that is not there reads as null; any other failure throws.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { answersMissing, signingKeyBytes } from '../shared/archive-files.ts';
import { publishedFileBound } from '../shared/published-bounds.ts';
import { readCapped } from '../shared/read-capped.ts';

export type Source = { description: string; snapshotName: string; read(name: string): Promise<Uint8Array<ArrayBuffer> | null> };

const isUrl = (value: string) => /^https?:\/\//i.test(value);

/**
 * `where` names the folder or URL prefix, or the snapshot file itself (its name is then taken). Each
 * file is read no further than the most the worker ever writes of it (publishedFileBound: a day 1 MiB,
 * the index 3.66 MB, a signature or the key 4 KB), so a hostile or broken server or folder cannot make
 * the command hold more; a larger file stops it (exit 2).
 */
export async function openSource(where: string): Promise<Source> {
  if (isUrl(where)) {
    // the files are found beside the snapshot, by path: a query or fragment names none of them
    const url = new URL(where);
    [url.search, url.hash] = ['', ''];
    const named = /\.json$/i.test(url.pathname);
    const base = new URL(named || url.pathname.endsWith('/') ? './' : `${url.pathname}/`, url);
    const snapshotName = named ? basename(url.pathname) : 'governance-status.json';
    return { description: base.href, snapshotName, read: (name) => fetchBytes(new URL(name, base), publishedFileBound(name, snapshotName)) };
  }
  const path = resolve(where);
  const named = (await stat(path)).isFile();
  const folder = named ? dirname(path) : path;
  const snapshotName = named ? basename(path) : 'governance-status.json';
  return { description: folder, snapshotName, read: (name) => readBytes(join(folder, name), publishedFileBound(name, snapshotName)) };
}

const tooLarge = (name: string, maxBytes: number) => new Error(`${name} is larger than ${maxBytes} bytes, more than the worker ever writes of it`);

async function fetchBytes(url: URL, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  // no-store: a copy cached before the last write would make the file and its signature disagree
  const response = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(30_000) });
  if (answersMissing(response.status, response.headers.get('content-type'))) return (await response.body?.cancel(), null);
  if (!response.ok) throw new Error(`${url.href} answered HTTP ${response.status}`);
  return (await readCapped(response, maxBytes)) ?? Promise.reject(tooLarge(url.href, maxBytes));
}

async function readBytes(path: string, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of createReadStream(path, { end: maxBytes })) chunks.push(chunk as Buffer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.length > maxBytes) throw tooLarge(path, maxBytes);
  return new Uint8Array(bytes);
}

/** The --key argument: a JWK file or URL, as large as the published key's file at most. */
export async function readKey(where: string): Promise<unknown> {
  const bytes = isUrl(where) ? await fetchBytes(new URL(where), signingKeyBytes) : await readBytes(resolve(where), signingKeyBytes);
  if (bytes === null) throw new Error(`the key ${where} is missing`);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error(`the key ${where} is not JSON (a JWK, like governance-signing-key.json)`);
  }
}
