// The public status page: a static site from site/, built into dist/ with one React island.
import { satteri } from '@astrojs/markdown-satteri';
import react from '@astrojs/react';
import { defineConfig } from 'astro/config';
import { defaultLocale, locales } from './site/i18n/locales.ts';
import { safeMarkdownOptions } from './site/lib/safe-markdown.ts';
import { siteSettingsFrom } from './site/lib/site-url.ts';

// React and React DOM in one file: one gzip stream of them is smaller than several (the budget is
// 80 KB for all JavaScript). Astro's React renderer stays out of it: the page hydrates its one island
// itself (site/scripts/mount-island.ts), so the renderer's loader is built but never loaded.
const reactChunk = (id) => (/node_modules\/(react|react-dom|scheduler)\//.test(id) ? 'react' : undefined);

export default defineConfig({
  // PUBLIC_SITE_URL=https://status.example.org/ npm run build: the page's own URL (absolute badge URLs) and its path
  ...siteSettingsFrom(process.env.PUBLIC_SITE_URL),
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  output: 'static',
  integrations: [react()],
  // One static page per locale (site/i18n/locales.ts): English at the root, the others under their
  // code (/de/); each page carries only its own words.
  i18n: { locales, defaultLocale, routing: { prefixDefaultLocale: false } },
  vite: {
    build: { rollupOptions: { output: { manualChunks: reactChunk } } },
  },
  // The operators' notes (site/content.config.ts): Markdown without raw HTML, no highlighting (it
  // would add inline styles and a tab stop per code block).
  markdown: { processor: satteri(safeMarkdownOptions), syntaxHighlight: false },
  // The page must make no request the reader did not ask for.
  devToolbar: { enabled: false },
});
