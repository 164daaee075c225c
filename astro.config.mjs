// The public status page: a static site from site/, built into dist/ with one React island.
import react from '@astrojs/react';
import { defineConfig } from 'astro/config';
import { governanceHistoryJsonSchema, governanceStatusJsonSchema } from './shared/json-schema.ts';
import { compactSchema } from './site/lib/check-schema.ts';
import { siteSettingsFrom } from './site/lib/site-url.ts';

// The island checks the files against the JSON Schemas generated from the contract, evaluated here
// once at build time: the Zod runtime itself would not fit the page's 80 KB budget beside React.
const rulesOf = ({ $schema, $id, title, description, ...rules }) => compactSchema(rules);
const virtualModules = {
  'virtual:governance-status-schema': () => rulesOf(governanceStatusJsonSchema({ reader: true })),
  'virtual:governance-history-schema': () => rulesOf(governanceHistoryJsonSchema()),
};

function contractSchemaPlugin() {
  return {
    name: 'governance-contract-schemas',
    resolveId: (id) => (Object.hasOwn(virtualModules, id) ? `\0${id}` : undefined),
    load: (id) => {
      const make = id.startsWith('\0') ? virtualModules[id.slice(1)] : undefined;
      return make ? `export default ${JSON.stringify(make())};` : undefined;
    },
  };
}

// React, React DOM and Astro's React renderer in one file: the page loads them all anyway, and one
// gzip stream of them is about 0.5 KB smaller than three (the budget is 80 KB for all JavaScript).
const reactChunk = (id) => (/node_modules\/(react|react-dom|scheduler|@astrojs\/react)\//.test(id) ? 'react' : undefined);

export default defineConfig({
  // PUBLIC_SITE_URL=https://status.example.org/ npm run build: the page's own URL (absolute badge URLs) and its path
  ...siteSettingsFrom(process.env.PUBLIC_SITE_URL),
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  output: 'static',
  integrations: [react()],
  vite: {
    plugins: [contractSchemaPlugin()],
    build: { rollupOptions: { output: { manualChunks: reactChunk } } },
  },
  // The page must make no request the reader did not ask for.
  devToolbar: { enabled: false },
});
