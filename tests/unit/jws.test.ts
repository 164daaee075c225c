// The signature format (shared/jws.ts and worker/signing-key.ts) against RFC 8037's own examples
// (Appendix A: an Ed25519 key, its RFC 7638 thumbprint, a JWS over "Example of Ed25519 signing").
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode, importPublicJwk, jwkThumbprint, parseDetachedJws, signingInput, utf8, verifyEd25519 } from '../../shared/jws.ts';
import { createSigner } from '../../worker/signing-key.ts';

const rfc = {
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  thumbprint: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
  header: 'eyJhbGciOiJFZERTQSJ9',
  payload: 'Example of Ed25519 signing',
  signature: 'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg',
};
const rfcKey = () => createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: rfc.x, d: rfc.d }, format: 'jwk' });

describe('RFC 8037 Appendix A', () => {
  it('the key id is the RFC 7638 thumbprint, in the browser-safe code and in the worker alike', async () => {
    expect(await jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: rfc.x })).toBe(rfc.thumbprint);
    expect(createSigner(rfcKey()).publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: rfc.x, kid: rfc.thumbprint, alg: 'EdDSA', use: 'sig' });
  });

  it('the signing input and the signature are the RFC\'s, byte for byte', async () => {
    expect(new TextDecoder().decode(signingInput(rfc.header, utf8(rfc.payload)))).toBe(`${rfc.header}.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc`);
    const key = await importPublicJwk({ kty: 'OKP', crv: 'Ed25519', x: rfc.x });
    if (typeof key === 'string') throw new Error(key);
    expect(await verifyEd25519(key.key, rfc.header, utf8(rfc.payload), base64urlDecode(rfc.signature)!)).toBe(true);
    expect(await verifyEd25519(key.key, rfc.header, utf8(`${rfc.payload}.`), base64urlDecode(rfc.signature)!)).toBe(false);
  });
});

describe('detached signatures', () => {
  it('a .jws file is header..signature over the exact bytes, and verifies with the public key alone', async () => {
    const signer = createSigner(rfcKey());
    const body = '{"day":"2026-11-03"}\n';
    const text = signer.sign(body);
    expect(text).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]{86}\n$/);
    const jws = parseDetachedJws(text);
    if (typeof jws === 'string') throw new Error(jws);
    expect(JSON.parse(new TextDecoder().decode(base64urlDecode(jws.header64)!))).toEqual({ alg: 'EdDSA', kid: rfc.thumbprint });
    const key = await importPublicJwk(signer.publicJwk);
    if (typeof key === 'string') throw new Error(key);
    expect(await verifyEd25519(key.key, jws.header64, utf8(body), jws.signature)).toBe(true);
    expect(await verifyEd25519(key.key, jws.header64, utf8(body.trimEnd()), jws.signature)).toBe(false);
  });

  it.each([
    ['an attached payload', 'eyJhbGciOiJFZERTQSJ9.eA.c2ln', /detached/],
    ['another algorithm', `${base64urlEncode(utf8('{"alg":"HS256","kid":"k"}'))}..${'A'.repeat(86)}`, /not EdDSA/],
    ['no kid', `${base64urlEncode(utf8('{"alg":"EdDSA"}'))}..${'A'.repeat(86)}`, /no kid/],
    ['a critical extension', `${base64urlEncode(utf8('{"alg":"EdDSA","kid":"k","crit":["b64"],"b64":false}'))}..${'A'.repeat(86)}`, /extensions/],
    ['a short signature', `${base64urlEncode(utf8('{"alg":"EdDSA","kid":"k"}'))}..AAAA`, /64-byte/],
    // JSON null: read as a broken signature, never thrown (a throw reads as "could not check")
    ['a header that is null', `${base64urlEncode(utf8('null'))}..${'A'.repeat(86)}`, /alg is undefined/],
  ])('refuses %s', (_, text, problem) => {
    expect(parseDetachedJws(text)).toMatch(problem);
  });

  it('base64url is canonical: one spelling per byte string', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    expect(base64urlDecode(base64urlEncode(bytes))).toEqual(bytes);
    expect(base64urlEncode(utf8('\u00ff\u00fe'))).toBe('w7_Dvg');
    expect(base64urlDecode('w7_Dvh')).toBeNull(); // trailing bits set: another spelling of the same bytes
    expect(base64urlDecode('w7+Dvg')).toBeNull();
    expect(base64urlDecode('w7_Dvg==')).toBeNull();
  });

  it('refuses a JWK that is not an Ed25519 public key, or whose kid is not its thumbprint', async () => {
    expect(await importPublicJwk({ kty: 'RSA', n: 'x', e: 'AQAB' })).toMatch(/not an Ed25519 public key/);
    expect(await importPublicJwk({ kty: 'OKP', crv: 'Ed25519', x: 'AAAA' })).toMatch(/32-byte/);
    expect(await importPublicJwk({ kty: 'OKP', crv: 'Ed25519', x: rfc.x, d: rfc.d })).toMatch(/private key/);
    expect(await importPublicJwk({ kty: 'OKP', crv: 'Ed25519', x: rfc.x, kid: 'mine' })).toMatch(/not its RFC 7638 thumbprint/);
  });
});
