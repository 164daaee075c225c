// Which content coding the demo's server picks (scripts/compression.ts), by the rules of
// Accept-Encoding in RFC 9110, and which types it compresses.
import { describe, expect, it } from 'vitest';
import { chooseEncoding, isCompressible } from '../../scripts/compression.ts';

describe('chooseEncoding', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br'], // what browsers send
    ['gzip, deflate', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=1.0, br;q=0.5', 'gzip'],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['*', 'br'],
    ['*;q=0.1, br;q=0', 'gzip'],
    ['identity', null],
    ['deflate', null],
    ['gzip;q=0, br;q=0', null],
    ['*;q=0', null],
    ['', null],
    [undefined, null],
  ])('%s: %s', (header, expected) => {
    expect(chooseEncoding(header)).toBe(expected);
  });
});

describe('isCompressible', () => {
  it.each([
    ['text/html; charset=utf-8', true],
    ['text/javascript; charset=utf-8', true],
    ['application/json; charset=utf-8', true],
    ['application/atom+xml; charset=utf-8', true],
    ['image/svg+xml', true],
    ['image/png', false],
    ['image/x-icon', false],
    ['application/octet-stream', false],
  ])('%s: %s', (type, expected) => {
    expect(isCompressible(type)).toBe(expected);
  });
});
