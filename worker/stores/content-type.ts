// The Content-Type of each published file, by its extension.
import { extname } from 'node:path';

const types: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
  '.xml': 'application/atom+xml; charset=utf-8',
  // a compact JWS (RFC 7515 section 9.2.1)
  '.jws': 'application/jose',
};

export function contentTypeOf(name: string): string {
  if (name.endsWith('governance-feed.json')) return 'application/feed+json; charset=utf-8';
  if (name.endsWith('.schema.json')) return 'application/schema+json; charset=utf-8';
  return types[extname(name)] ?? 'application/octet-stream';
}
