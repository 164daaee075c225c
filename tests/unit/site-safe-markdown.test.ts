// The operators' notes are Markdown, never HTML: rendered by Astro's own processor (satteri) with the
// page's options, raw HTML stays text, links that would run code lose their target, an image from
// elsewhere becomes a link (no request), and headings start below the page's own.
import { createSatteriMarkdownProcessor } from '@astrojs/markdown-satteri';
import { describe, expect, it } from 'vitest';
import { isSafeHref, safeMarkdownOptions } from '../../site/lib/safe-markdown.ts';

async function render(markdown: string): Promise<string> {
  // What astro.config.mjs configures: these options, no syntax highlighting.
  const processor = await createSatteriMarkdownProcessor({ ...safeMarkdownOptions, syntaxHighlight: false });
  const fileURL = new URL('file:///notes/2026-11-09 credits.md');
  return (await processor.render(markdown, { fileURL } as Parameters<typeof processor.render>[1])).code;
}

describe('a note rendered', () => {
  it('keeps raw HTML as text: no script, no event handler attribute, no element from the author', async () => {
    const html = await render(
      'Inline <script>window.__x = 1</script> and <img src="x" onerror="alert(1)">.\n\n<div onclick="alert(2)">block</div>\n\n<!-- comment -->\n',
    );
    expect(html).not.toMatch(/<(script|img|div|iframe)\b/i);
    expect(html).not.toMatch(/<[^>]+\son[a-z]+=/i);
    expect(html).toContain('&lt;script&gt;window.__x = 1&lt;/script&gt;');
    expect(html).toContain('onerror="alert(1)"&gt;');
  });

  it('keeps http(s), mailto and in-page links, and drops the target of any other', async () => {
    const html = await render('[a](https://example.org) [b](mailto:ops@example.org) [c](#incident-x) [d](javascript:alert(1)) [e](JaVaScRiPt:alert(1)) [f](data:text/html,hi) [g](vbscript:x)');
    expect([...html.matchAll(/<a( href="([^"]*)")?>/g)].map((match) => match[2] ?? null)).toEqual([
      'https://example.org', 'mailto:ops@example.org', '#incident-x', null, null, null, null,
    ]);
  });

  it('turns an image into a link to it, so the page requests nothing by itself', async () => {
    expect(await render('![the graph](https://tracker.example/pixel.png) ![local](./x.png)')).toBe(
      '<p><a href="https://tracker.example/pixel.png">the graph</a> local</p>\n',
    );
  });

  it('starts its headings at h4, in order, with ids of its own', async () => {
    const html = await render('# One\n\n## Two\n\n### Three\n\nFootnote[^1]\n\n[^1]: not parsed');
    expect(html).toContain('<h4 id="note-2026-11-09-20credits-1">One</h4>');
    expect(html).toContain('<h4 id="note-2026-11-09-20credits-2">Two</h4>');
    expect(html).toContain('<h5 id="note-2026-11-09-20credits-3">Three</h5>');
    // footnotes would give every note the same ids
    expect(html).not.toContain('footnote');
  });
});

describe('isSafeHref', () => {
  it('allows what a reader can follow, nothing a browser would run', () => {
    expect(['https://a.b/c', 'http://a.b', 'mailto:x@y.z', '#x', ' https://a.b', '/governance-history.json'].every(isSafeHref)).toBe(true);
    for (const href of ['javascript:alert(1)', ' javascript:x', 'data:text/html,x', 'vbscript:x', '//evil.example', 'relative/path', 42]) {
      expect([href, isSafeHref(href)]).toEqual([href, false]);
    }
  });
});
