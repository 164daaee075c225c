// The public status page: a static site from site/, built into dist/ with one React island.
import react from '@astrojs/react';
import { defineConfig } from 'astro/config';
import { governanceStatusJsonSchema } from './shared/json-schema.ts';

// The island checks snapshots against the JSON Schema generated from the contract, evaluated here
// once at build time: the Zod runtime itself would not fit the page's 80 KB budget beside React.
const schemaModule = 'virtual:governance-status-schema';

function contractSchemaPlugin() {
  return {
    name: 'governance-status-schema',
    resolveId: (id) => (id === schemaModule ? `\0${schemaModule}` : undefined),
    load: (id) => {
      if (id !== `\0${schemaModule}`) return undefined;
      const { $schema, $id, title, description, ...rules } = governanceStatusJsonSchema({ reader: true });
      return `export default ${JSON.stringify(rules)};`;
    },
  };
}

export default defineConfig({
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  output: 'static',
  integrations: [react()],
  vite: { plugins: [contractSchemaPlugin()] },
  // The page must make no request the reader did not ask for.
  devToolbar: { enabled: false },
});
