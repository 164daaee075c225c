// The public status page: a static site from site/, built into dist/ with one React island.
import { satteri } from '@astrojs/markdown-satteri';
import react from '@astrojs/react';
import { defineConfig } from 'astro/config';
import { defaultLocale, locales } from './site/i18n/locales.ts';
import { safeMarkdownOptions } from './site/lib/safe-markdown.ts';
import { siteSettingsFrom } from './site/lib/site-url.ts';

// The island is React code, rendered to HTML by React at build time; in the browser it runs on
// preact/compat (about 8 KB gzip instead of React DOM's 67: the budget is 80 KB for all JavaScript,
// and verifying the signed record costs about 5 KB). Only the client build's imports are swapped.
// The framework in one file: one gzip stream is smaller than several. Astro's React renderer stays
// out of it: the page hydrates its one island itself (site/scripts/mount-island.ts), so the
// renderer's loader is built but never loaded.
const reactChunk = (id) => (/node_modules\/(react|react-dom|scheduler|preact)\//.test(id) ? 'react' : undefined);
const preactAliases = { react: 'preact/compat', 'react-dom': 'preact/compat', 'react-dom/client': 'preact/compat/client', 'react/jsx-runtime': 'preact/jsx-runtime' };
const preactInBrowser = {
  name: 'preact-in-browser',
  enforce: 'pre',
  resolveId(source, importer, options) {
    if (this.environment?.name !== 'client' || !(source in preactAliases)) return null;
    return this.resolve(preactAliases[source], importer, { ...options, skipSelf: true });
  },
};

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
    plugins: [preactInBrowser],
  },
  // The operators' notes (site/content.config.ts): Markdown without raw HTML, no highlighting (it
  // would add inline styles and a tab stop per code block).
  markdown: { processor: satteri(safeMarkdownOptions), syntaxHighlight: false },
  // The page must make no request the reader did not ask for.
  devToolbar: { enabled: false },
});
