// Content encoding for the demo's static server, as a CDN does it: brotli or gzip (node:zlib) for
// text types when the request's Accept-Encoding allows it, each encoded body cached by its ETag, so
// the site's hashed assets are compressed once and a snapshot once per change.
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export type Encoding = 'br' | 'gzip';

const compressibleTypes = /^(text\/|application\/(json|javascript|xml|atom\+xml|feed\+json|manifest\+json)\b|image\/svg\+xml\b)/i;
/** Below this a compressed body gains little or grows (headers, framing). */
export const minCompressBytes = 256;

export const isCompressible = (contentType: string) => compressibleTypes.test(contentType);

/**
 * The best encoding the client accepts (RFC 9110 12.5.3): brotli before gzip, each unless its
 * q-value is 0, `*` standing for any not named; null means identity.
 */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | null {
  if (!acceptEncoding) return null;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [token = '', ...parameters] = part.toLowerCase().split(';');
    const name = token.trim() === 'x-gzip' ? 'gzip' : token.trim(); // x-gzip is gzip (RFC 9110 8.4.1.3)
    const q = parameters.map((parameter) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(parameter)?.[1]).find((value) => value !== undefined);
    if (name) weights.set(name, Math.max(weights.get(name) ?? 0, q === undefined ? 1 : Number(q)));
  }
  const weight = (coding: Encoding) => weights.get(coding) ?? weights.get('*') ?? 0;
  // a stable sort: brotli first when both weigh the same
  const accepted = (['br', 'gzip'] as const).filter((coding) => weight(coding) > 0).sort((a, b) => weight(b) - weight(a));
  return accepted[0] ?? null;
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Encoded bodies by ETag and encoding; the oldest go first past `capacity`. */
export function createCompressionCache(capacity = 64) {
  const cache = new Map<string, Promise<Buffer>>();
  return (etag: string, encoding: Encoding, body: Buffer): Promise<Buffer> => {
    const key = `${encoding} ${etag}`;
    let encoded = cache.get(key);
    if (!encoded) {
      // quality 6: most of brotli's gain at a fraction of the time of its maximum, as CDNs do on the fly
      encoded = encoding === 'br' ? brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 6 } }) : gzipAsync(body);
      encoded.catch(() => cache.delete(key));
      cache.set(key, encoded);
      if (cache.size > capacity) cache.delete(cache.keys().next().value!);
    }
    return encoded;
  };
}
