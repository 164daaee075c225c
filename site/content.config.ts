// The operators' notes: Markdown files in site/notes/ (or GOVERNANCE_NOTES_DIR at build time), each
// reviewed like any change and rendered to static HTML by the build (site/lib/safe-markdown.ts: no
// raw HTML). A note names one incident by its id, or a time span and optionally a charter; the
// page shows it with the incidents it belongs to (site/lib/notes.ts), or on its own.
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

const notesDir = process.env.GOVERNANCE_NOTES_DIR?.trim() || './site/notes';

/** An instant, written as YAML may read it: a date, or an ISO-8601 string with its zone. */
const instant = z
  .union([z.date(), z.string().regex(/(Z|[+-]\d\d:\d\d)$/, 'an ISO-8601 time with its zone, e.g. 2026-11-09T06:00:00Z')])
  .transform((value) => new Date(value))
  .refine((date) => !Number.isNaN(date.getTime()), 'a time that exists')
  .transform((date) => date.toISOString());

const notes = defineCollection({
  loader: glob({ pattern: '**/*.md', base: notesDir }),
  schema: z
    .object({
      title: z.string().min(1).max(200),
      /** the incident's id, `<charterId>@<startedAt>`, as governance-history.json gives it */
      incident: z.string().min(1).max(300).optional(),
      charter: z.string().min(1).max(100).optional(),
      from: instant.optional(),
      to: instant.optional(),
    })
    .strict()
    .refine((note) => note.incident !== undefined || (note.from !== undefined && note.to !== undefined), {
      message: 'a note names an incident (incident: <id>) or a time span (from: and to:, with charter: to narrow it to one charter)',
    })
    .refine((note) => note.from === undefined || note.to === undefined || note.from <= note.to, { message: 'from must not be after to' }),
});

export const collections = { notes };
