// Every string from the data reaches the page as text: no source of the site writes markup from a
// string (the browser test tests/e2e/headline.test.ts shows hostile strings staying inert).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const siteDir = new URL('../../site/', import.meta.url);
const sources = readdirSync(siteDir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && /\.(tsx?|astro)$/.test(entry.name))
  .map((entry) => `${entry.parentPath}/${entry.name}`);

describe('the site sources', () => {
  it.each(sources)('%s writes no markup from strings', (path) => {
    const text = readFileSync(path, 'utf8');
    expect(text.match(/dangerouslySetInnerHTML|\.innerHTML|outerHTML\s*=|insertAdjacentHTML|document\.write|set:html/g)).toBeNull();
  });
});
