// The public status page: a static site from site/, built into dist/ with one React island.
import { satteri } from '@astrojs/markdown-satteri';
import react from '@astrojs/react';
import { defineConfig } from 'astro/config';
import { safeMarkdownOptions } from './site/lib/safe-markdown.ts';
import { siteSettingsFrom } from './site/lib/site-url.ts';

// React, React DOM and the island's own code in one file: one gzip stream of them is smaller than
// several (the budget is 80 KB for all JavaScript; one stream saved about 1 KB of it). Astro's React
// renderer stays out of it: the page hydrates its one island itself (site/scripts/mount-island.ts),
// so the renderer's loader is built but never loaded; the page's own small scripts stay inline.
const reactChunk = (id) => (/node_modules\/(react|react-dom|scheduler)\/|\/site\/(components|lib|scripts)\/|\/shared\//.test(id) ? 'react' : undefined);

export default defineConfig({
  // PUBLIC_SITE_URL=https://status.example.org/ npm run build: the page's own URL (absolute badge URLs) and its path
  ...siteSettingsFrom(process.env.PUBLIC_SITE_URL),
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  output: 'static',
  integrations: [react()],
  vite: {
    build: { rollupOptions: { output: { manualChunks: reactChunk } } },
  },
  // The operators' notes (site/content.config.ts): Markdown without raw HTML, no highlighting (it
  // would add inline styles and a tab stop per code block).
  markdown: { processor: satteri(safeMarkdownOptions), syntaxHighlight: false },
  // The page must make no request the reader did not ask for.
  devToolbar: { enabled: false },
});
