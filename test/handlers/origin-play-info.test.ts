import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpLambda } from '#lib/http';
import { fixture, invoke, jsonHeaders, startStack, uploadVideo, withoutAuthKeys, withQuery, withVid, type Stack } from '../unit/http/handler-kit.ts';

const EVENT = fixture('origin-play-info');
const RID = 'origin-play-info-req-0001';
let stack: Stack;
let handler: HttpLambda;
let vid: string;

before(async () => {
  stack = await startStack();
  handler = (await import('../../functions/origin-play-info/handler.ts')).createHandler(stack.api);
  vid = await uploadVideo(stack.vod);
});
after(() => stack.close());

describe('GET /videos/{vid}/origin-play-info', () => {
  it('answers the flat GetOriginVideoPlayInfo result', async () => {
    const reply = await invoke(handler, withVid(EVENT, vid));
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.headers, jsonHeaders(RID));
    assert.deepEqual(withoutAuthKeys(reply.body), withoutAuthKeys(await stack.vod.getOriginVideoPlayInfo({ Vid: vid, Ssl: false })));
    assert.deepEqual(Object.keys(reply.body as object), ['MediaType', 'Duration', 'Size', 'Height', 'Width', 'Format', 'CodecType', 'Bitrate', 'FileHash', 'MainPlayUrl', 'BackupPlayUrl']);
    assert.match((reply.body as { MainPlayUrl: string }).MainPlayUrl, /^http:\/\//);
  });

  it('gives https URLs with ssl=1 and no query at all', async () => {
    const https = await invoke(handler, withQuery(withVid(EVENT, vid), 'ssl=1'));
    assert.match((https.body as { MainPlayUrl: string }).MainPlayUrl, /^https:\/\//);
    const none = await invoke(handler, withQuery(withVid(EVENT, vid), ''));
    assert.equal(none.status, 200);
  });

  it('answers 404 for an unknown video', async () => {
    const reply = await invoke(handler, withVid(EVENT, 'v0missing'));
    assert.deepEqual({ status: reply.status, body: reply.body }, { status: 404, body: { error: 'NotFound', message: 'Video v0missing does not exist.', requestId: RID } });
  });

  const BAD: ReadonlyArray<[string, string, string, string]> = [
    ['a bad vid', '<script>', '', 'path.vid: must be a video id (1-128 letters, digits, _ or -)'],
    ['ssl=2', 'v0a', 'ssl=2', 'query.ssl: must be true or false'],
    ['an unknown parameter', 'v0a', 'definition=720p', 'query.definition: is not an allowed field'],
  ];
  for (const [what, badVid, query, message] of BAD) {
    it(`answers 400 for ${what}`, async () => {
      const reply = await invoke(handler, withQuery(withVid(EVENT, badVid), query));
      assert.deepEqual({ status: reply.status, body: reply.body }, { status: 400, body: { error: 'BadRequest', message, requestId: RID } });
    });
  }
});
