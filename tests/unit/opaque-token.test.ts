// The shape of an opaque token (shared/opaque-token.ts): each of its three conditions is needed, and
// a run is judged 32 characters at a time.
import { describe, expect, it } from 'vitest';
import { isOpaqueToken, tokenWindow } from '../../shared/opaque-token.ts';

const token = 'q7Zr2XbT9mKw4NvP8sLd3HfJ6yGc1RtE';

describe('isOpaqueToken', () => {
  it('judges 32 characters: a random run of 32 is a token, its first 31 are not judged', () => {
    expect(token).toHaveLength(tokenWindow);
    expect(isOpaqueToken(token)).toBe(true);
    expect(isOpaqueToken(token.slice(0, 31))).toBe(false);
  });
  it('finds a token anywhere in a longer run, however much plain text surrounds it', () => {
    expect(isOpaqueToken(`${'r'.repeat(5_000)}${token}${'k'.repeat(5_000)}`)).toBe(true);
    expect(isOpaqueToken(`engineering-20261204T130000-${token}`)).toBe(true);
  });
  it('needs changes of class that words and numbers do not explain', () => {
    expect(isOpaqueToken('HTTPServerErrorInsufficientCreditsV2')).toBe(false); // high entropy, but words
    expect(isOpaqueToken('Engineering-2026-12-04T13-00-00-000Z-run1')).toBe(false);
  });
  it('needs entropy: an alternating pattern changes class at every character but says little', () => {
    expect(isOpaqueToken('a1b2'.repeat(8))).toBe(false);
    expect(isOpaqueToken('Ab1Cd2'.repeat(6))).toBe(false);
  });
  it('takes a run of one case without digits for a word, random or not', () => {
    expect(isOpaqueToken('qzrxbtmkwnvpsldhfjygcrte'.repeat(2))).toBe(false);
  });
  it('skips UUIDs, alone, joined or inside an id', () => {
    const uuid = '3f2b8c1e-4d5a-4e6f-8a9b-0c1d2e3f4a5b';
    expect(isOpaqueToken(uuid)).toBe(false);
    expect(isOpaqueToken(`${uuid}_${uuid.toUpperCase()}`)).toBe(false);
    expect(isOpaqueToken(`run-${uuid}-attempt-2`)).toBe(false);
    expect(isOpaqueToken(`${uuid}${token}`)).toBe(true);
  });
});
