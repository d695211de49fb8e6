// Property-based round trips through the token routes (fast-check, fixed seed): for any valid vid / space and any
// expiry in range, the token the HTTP route returns decodes, verifies with lib/signing as the service would (for
// exactly that vid / space, that expiry, the right method), and is refused once tampered or expired.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { HttpLambda } from '#lib/http';
import { fixture, invoke, NOW, startStack, verifySignedQuery, withBody, type Stack } from '../unit/http/handler-kit.ts';

let stack: Stack;
let play: HttpLambda;
let upload: HttpLambda;

before(async () => {
  stack = await startStack();
  play = (await import('../../functions/issue-play-token/handler.ts')).createHandler(stack.sign, stack.cfg);
  upload = (await import('../../functions/issue-upload-token/handler.ts')).createHandler(stack.sign, stack.cfg);
});
after(() => stack.close());

const decode = (token: string): Record<string, string> => JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Record<string, string>;
const vidArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/);
const spaceArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
const expiresArb = fc.integer({ min: 1, max: 7200 }); // TOKEN_MAX_EXPIRES of the kit
const at = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);

describe('token round trips through the HTTP routes (fast-check)', () => {
  it('POST /tokens/play: any vid and expiry -> a GetPlayInfo token for that vid that verifies until it expires', async () => {
    await fc.assert(fc.asyncProperty(vidArb, expiresArb, async (vid, expiresIn) => {
      const reply = await invoke(play, withBody(fixture('issue-play-token'), { vid, expiresIn }));
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const body = reply.body as { token: string; vid: string; expiresIn: number };
      assert.deepEqual([body.vid, body.expiresIn], [vid, expiresIn]);
      const query = decode(body.token).GetPlayInfoToken ?? '';
      const q = new URLSearchParams(query);
      assert.deepEqual([q.get('Action'), q.get('video_id'), q.get('X-Amz-Expires')], ['GetPlayInfo', vid, String(expiresIn)]);
      const ok = await verifySignedQuery('GET', query, at(expiresIn));
      assert.ok(ok.ok, 'valid until X-Amz-Date + expiresIn');
      const late = await verifySignedQuery('GET', query, at(expiresIn + 1));
      assert.equal(late.ok ? 'ok' : late.code, 'RequestExpired');
      const other = vid === 'v0other' ? 'v0another' : 'v0other';
      const tampered = await verifySignedQuery('GET', query.replace(`video_id=${encodeURIComponent(vid)}`, `video_id=${other}`));
      assert.equal(tampered.ok, false, 'a token for another vid');
    }), { seed: 20261125, numRuns: 60 });
  });

  it('POST /tokens/upload: any space and expiry -> Apply (GET) and Commit (POST) tokens for that space only', async () => {
    await fc.assert(fc.asyncProperty(spaceArb, expiresArb, async (space, expiresIn) => {
      const reply = await invoke(upload, withBody(fixture('issue-upload-token'), { space, expiresIn }));
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const token = decode((reply.body as { token: string }).token);
      for (const [key, method] of [['ApplyUploadToken', 'GET'], ['CommitUploadToken', 'POST']] as const) {
        const query = token[key] ?? '';
        assert.equal(new URLSearchParams(query).get('SpaceName'), space);
        assert.ok((await verifySignedQuery(method, query, at(expiresIn))).ok, `${key} verifies`);
        assert.equal((await verifySignedQuery(method === 'GET' ? 'POST' : 'GET', query)).ok, false, `${key} with the other method`);
        const late = await verifySignedQuery(method, query, at(expiresIn + 1));
        assert.equal(late.ok ? 'ok' : late.code, 'RequestExpired');
      }
    }), { seed: 20261125, numRuns: 60 });
  });

  it('out-of-range expiries are refused with a 400 naming the field', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 7201 })), async (expiresIn) => {
      const reply = await invoke(play, withBody(fixture('issue-play-token'), { vid: 'v0a', expiresIn }));
      assert.equal(reply.status, 400);
      assert.match((reply.body as { message: string }).message, /expiresIn/);
    }), { seed: 20261125, numRuns: 50 });
  });
});
