// How the operators' notes (site/content.config.ts) become HTML: Markdown only. Raw HTML is shown as
// the text it is, links keep only http(s), mailto and in-page targets, an image becomes a link to
// it (the page makes no request the reader did not ask for), and headings sit below the page's own
// with ids unique to their note (no footnotes: their ids would repeat from note to note).
import type { HastPluginDefinition, MdastPluginDefinition } from 'satteri';

type Node = { type: string; tagName?: string; properties?: Record<string, unknown>; children?: Node[]; value?: string };
type Context = { replaceNode(node: unknown, next: unknown): void; setProperty(node: unknown, key: string, value: unknown): void };
type Visitor = { filter: string[]; visit(node: Node, context: Context): void };

/** http(s), mailto, this site's own paths, or a link within the page: never javascript:, data: or anything a browser runs. */
export const isSafeHref = (href: unknown): href is string => typeof href === 'string' && /^(https?:\/\/|mailto:|#|\/(?!\/))/i.test(href.trim());

/** The page's headings are h1 to h3 (a note's title is an h3): a note's own start at h4, in order. */
const demoted = (tagName: string) => `h${Math.min(6, Math.max(4, Number(tagName.slice(1)) + 2))}`;

/** "note-2026-11-09-credits-3": the note's file name and the heading's place in it. */
const headingId = (fileURL: URL | undefined, index: number) =>
  `note-${(fileURL?.pathname.split('/').pop() ?? 'note').replace(/\.md$/, '').replace(/[^a-zA-Z0-9_-]+/g, '-')}-${index}`;

const asText = (node: Node, context: Context) => context.replaceNode(node, { type: 'text', value: node.value ?? '' });

const markdownOnly = {
  name: 'notes-markdown-only',
  // In the Markdown tree already, so Astro never collects a note's image for processing.
  image(node: Node & { url?: string; alt?: string }, context: Context) {
    const label = node.alt?.trim() || node.url || 'image';
    const link = { type: 'link', url: node.url, children: [{ type: 'text', value: label }] };
    context.replaceNode(node, isSafeHref(node.url) ? link : { type: 'text', value: label });
  },
  html: asText,
} as unknown as MdastPluginDefinition;

/** A factory: satteri calls it once per note, so heading ids count from 1 in each. */
function safeHtml({ fileURL }: { fileURL: URL | undefined }): HastPluginDefinition {
  let headings = 0;
  const element: Visitor[] = [
    {
      filter: ['a'],
      visit: (node, context) => {
        if (!isSafeHref(node.properties?.href)) context.setProperty(node, 'href', null);
      },
    },
    {
      filter: ['img', 'iframe', 'object', 'embed', 'script', 'style'],
      visit: (node, context) => context.replaceNode(node, { type: 'text', value: '' }),
    },
    {
      filter: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
      visit: (node, context) => {
        const properties = { id: headingId(fileURL, ++headings) };
        context.replaceNode(node, { type: 'element', tagName: demoted(node.tagName!), properties, children: node.children ?? [] });
      },
    },
  ];
  return { name: 'notes-safe-html', element } as unknown as HastPluginDefinition;
}

/** The options of Astro's Markdown processor (satteri) for the notes. */
export const safeMarkdownOptions = {
  mdastPlugins: [markdownOnly],
  hastPlugins: [safeHtml],
  features: { gfm: { footnotes: false } },
};
