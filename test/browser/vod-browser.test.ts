// web/vod-browser.js in Node (it uses only web platform globals that Node 20 has too): token decoding, CRC32,
// signed-query description. Tokens come from lib/vod's real token functions, not hand-written strings.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { playAuthToken, uploadAuthToken } from '#lib/vod';
import { seededBytes } from '../support/seeded-bytes.ts';

// a plain-JS browser module: imported by URL, so the type-check of this TS project leaves it to `tsc -p web`
const m = (await import(new URL('../../web/vod-browser.js', import.meta.url).href)) as {
  decodeUploadToken(t: string): { Version: string; ApplyUploadToken: string; CommitUploadToken: string };
  decodePlayToken(t: string): { Version: string; GetPlayInfoToken: string };
  describeSignedQuery(q: string): { action: string; version: string; params: Record<string, string>; accessKeyId: string; signedAt: Date | null; expiresAt: Date | null };
  crc32(b: Uint8Array, previous?: number): number;
  crc32Hex(v: number): string;
  crc32OfBlob(b: Blob, o?: { chunkSize?: number }): Promise<string>;
  mainPlayUrl(data: unknown): string;
};

const ctx = { credentials: { accessKeyId: 'AKLTlocalemulator', secretAccessKey: 'local-emulator-secret' }, region: 'cn-north-1', now: new Date('2024-01-02T03:04:05Z') };

describe('vod-browser.js tokens', () => {
  test('decodes an upload token from lib/vod into its two signed queries', async () => {
    const token = await uploadAuthToken({ SpaceName: 'demo-space', 'X-Amz-Expires': 3600 }, ctx);
    const t = m.decodeUploadToken(token);
    assert.equal(t.Version, 'v1');
    const apply = m.describeSignedQuery(t.ApplyUploadToken);
    const commit = m.describeSignedQuery(t.CommitUploadToken);
    assert.deepEqual(
      { ...apply, signedAt: apply.signedAt?.toISOString(), expiresAt: apply.expiresAt?.toISOString() },
      { action: 'ApplyUpload', version: '2018-01-01', params: { SpaceName: 'demo-space' }, accessKeyId: 'AKLTlocalemulator', signedAt: '2024-01-02T03:04:05.000Z', expiresAt: '2024-01-02T04:04:05.000Z' },
    );
    assert.equal(commit.action, 'CommitUpload');
  });

  test('decodes a play token whatever the whitespace, key order, padding and base64 alphabet', async () => {
    const token = await playAuthToken({ video_id: 'v0abc' }, ctx);
    const query = m.decodePlayToken(token).GetPlayInfoToken;
    const json = JSON.stringify({ GetPlayInfoToken: query, Version: 'v1' }, null, 2); // other order, pretty-printed
    const b64 = Buffer.from(json).toString('base64');
    const variants = [
      token,
      b64,
      b64.replace(/=+$/, ''),
      b64.replace(/\+/g, '-').replace(/\//g, '_'),
      `  ${b64.match(/.{1,20}/g)!.join('\n')}\n`,
    ];
    for (const v of variants) assert.deepEqual(m.decodePlayToken(v), { Version: 'v1', GetPlayInfoToken: query });
    assert.deepEqual(m.describeSignedQuery(query).params, { video_id: 'v0abc' });
  });

  test('a malformed token is an InvalidToken error that does not echo the token', () => {
    for (const bad of ['', '!!!', Buffer.from('not json').toString('base64'), Buffer.from('[1]').toString('base64'), Buffer.from('{"Version":"v1"}').toString('base64')]) {
      assert.throws(() => m.decodeUploadToken(bad), (e: Error & { code?: string }) => {
        assert.equal(e.name, 'VodBrowserError');
        assert.equal(e.code, 'InvalidToken');
        assert.ok(bad === '' || !e.message.includes(bad));
        return true;
      });
    }
  });
});

describe('vod-browser.js CRC32', () => {
  test('matches zlib on known and random inputs, in one piece and in chunks', async () => {
    assert.equal(m.crc32Hex(m.crc32(Buffer.from('hello'))), '3610a686');
    assert.equal(m.crc32Hex(m.crc32(new Uint8Array(0))), '00000000');
    const data = seededBytes(300_001, 300_001);
    assert.equal(m.crc32(data), crc32(data));
    assert.equal(m.crc32(data.subarray(1000), m.crc32(data.subarray(0, 1000))), crc32(data));
    assert.equal(await m.crc32OfBlob(new Blob([data]), { chunkSize: 65_536 }), crc32(data).toString(16).padStart(8, '0'));
  });
});

describe('vod-browser.js play URL', () => {
  test('picks the highest bitrate; no stream is a NoPlayUrl error', () => {
    assert.equal(m.mainPlayUrl({ PlayInfoList: [{ Bitrate: 1, MainPlayUrl: 'http://a' }, { Bitrate: 9, MainPlayUrl: 'http://b' }] }), 'http://b');
    assert.throws(() => m.mainPlayUrl({ VideoID: 'v1', Status: 1, PlayInfoList: [] }), { name: 'VodBrowserError', code: 'NoPlayUrl' });
  });
});
