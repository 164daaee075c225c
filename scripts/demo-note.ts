// The demo's example of an operator's note (site/content.config.ts): a post-mortem of the afternoon
// without credits that the demo data always holds, 12 days before the demo started. Its span moves
// with the demo's start, so the demo writes the note (scripts/demo-note.md and the span) into a
// notes folder of its own, and builds its site with it. Rewritten only when it changes, so the site
// is rebuilt once a day at most.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { creditsOutage } from './demo-data.ts';

const noteName = 'afternoon-without-credits.md';

export async function writeDemoNote(notesDir: string, now: Date): Promise<void> {
  const { from, to } = creditsOutage(now.getTime());
  const body = await readFile(new URL('./demo-note.md', import.meta.url), 'utf8');
  const iso = (ms: number) => new Date(ms).toISOString();
  const note = `---\ntitle: "Post-mortem: the afternoon without credits"\nfrom: ${iso(from)}\nto: ${iso(to)}\n---\n\n${body}`;
  const path = join(notesDir, noteName);
  if ((await readFile(path, 'utf8').catch(() => null)) === note) return;
  await mkdir(notesDir, { recursive: true });
  await writeFile(path, note);
}

/** Against a database of its own (DATABASE_URL), the demo has no outage to write about. */
export const removeDemoNote = (notesDir: string) => rm(join(notesDir, noteName), { force: true });
