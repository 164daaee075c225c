// The page's check of the record (site/lib/verify-record.ts) over files in memory: a fetch that
// serves them and keeps the names it was asked for.
import { checkRecord, loadBundle, type RecordSource } from '../../site/lib/verify-record.ts';

export function sourceOf(files: Map<string, string>) {
  const asked: string[] = [];
  const source: RecordSource = {
    url: (name) => `https://status.example.org/${name}`,
    snapshotName: 'governance-status.json',
    fetch: (async (url: string) => {
      const name = new URL(url).pathname.slice(1);
      asked.push(name);
      const body = files.get(name);
      return body === undefined ? new Response('not found', { status: 404 }) : new Response(body);
    }) as typeof fetch,
  };
  return { source, asked };
}

/** The page's first check of the record the files hold, with the snapshot as polled (the published one unless given). */
export async function checkFiles(files: Map<string, string>, now: number, pinnedKey: unknown = null, snapshotText = files.get('governance-status.json')!) {
  const { source, asked } = sourceOf(files);
  const bundle = await loadBundle(source);
  const state = await checkRecord(source, { bundle, snapshotText, pinnedKey, now });
  return { state, asked };
}
