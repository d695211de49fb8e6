import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpLambda } from '#lib/http';
import { closedPort } from '../support/ports.ts';
import { fixture, invoke, jsonHeaders, startStack, uploadVideo, withoutAuthKeys, withQuery, withVid, type Stack } from '../unit/http/handler-kit.ts';

const EVENT = fixture('play-info');
const RID = 'play-info-req-0001';
let stack: Stack;
let handler: HttpLambda;
let vid: string;

before(async () => {
  stack = await startStack();
  handler = (await import('../../functions/play-info/handler.ts')).createHandler(stack.api);
  vid = await uploadVideo(stack.vod);
});
after(() => stack.close());

describe('GET /videos/{vid}/play-info', () => {
  it('answers the GetPlayInfo data of the video', async () => {
    const reply = await invoke(handler, withVid(EVENT, vid));
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.headers, jsonHeaders(RID));
    const expected = (await stack.vod.getPlayInfo({ video_id: vid, Ssl: true })).Data;
    assert.deepEqual(withoutAuthKeys(reply.body), withoutAuthKeys(expected));
    const data = reply.body as { VideoID: string; PlayInfoList: Array<{ MainPlayUrl: string }> };
    assert.equal(data.VideoID, vid);
    assert.match(data.PlayInfoList[0]?.MainPlayUrl ?? '', /^https:\/\/127\.0\.0\.1:\d+\/play\//);
  });

  it('passes definition, format, codec and ssl=false on', async () => {
    const reply = await invoke(handler, withQuery(withVid(EVENT, vid), 'definition=origin&format=mp4&codec=h264&ssl=false'));
    const data = reply.body as { PlayInfoList: Array<{ MainPlayUrl: string; Definition: string }> };
    assert.equal(reply.status, 200);
    assert.equal(data.PlayInfoList[0]?.Definition, 'origin');
    assert.match(data.PlayInfoList[0]?.MainPlayUrl ?? '', /^http:\/\//);
  });

  it('answers 404 with the service message for an unknown video', async () => {
    const reply = await invoke(handler, withVid(EVENT, 'v0unknown'));
    assert.deepEqual({ status: reply.status, headers: reply.headers, body: reply.body }, {
      status: 404, headers: jsonHeaders(RID), body: { error: 'NotFound', message: 'Video v0unknown does not exist.', requestId: RID },
    });
  });

  const BAD: ReadonlyArray<[string, string | undefined, string, string]> = [
    ['a vid with a dot', 'v0.a', '', 'path.vid: must be a video id (1-128 letters, digits, _ or -)'],
    ['an encoded slash in the vid', 'v0%2F..', '', 'path.vid: must be a video id (1-128 letters, digits, _ or -)'],
    ['a 129-char vid', 'v'.repeat(129), '', 'path.vid: must be a video id (1-128 letters, digits, _ or -)'],
    ['an unknown parameter', undefined, 'Definition=720p', 'query.Definition: is not an allowed field'],
    ['ssl=yes', undefined, 'ssl=yes', 'query.ssl: must be true or false'],
    ['a repeated parameter', undefined, 'format=mp4&format=hls', 'query.format: is given more than once'],
    ['an injection in definition', undefined, `definition=${encodeURIComponent("720p' OR 1=1")}`, 'query.definition: must be a definition such as 720p (1-16 letters, digits, _ . or -)'],
    ['an empty codec', undefined, 'codec=', 'query.codec: must be a codec such as h264 (1-16 letters, digits, _ . or -)'],
  ];
  for (const [what, badVid, query, message] of BAD) {
    it(`answers 400 for ${what}`, async () => {
      const event = withQuery(badVid === undefined ? withVid(EVENT, vid) : withVid(EVENT, badVid), query);
      const reply = await invoke(handler, event);
      assert.deepEqual({ status: reply.status, body: reply.body }, { status: 400, body: { error: 'BadRequest', message, requestId: RID } });
    });
  }

  it('answers 502 with a fixed message when the service refuses our signature, logging the cause', async () => {
    const { createHandler } = await import('../../functions/play-info/handler.ts');
    const { vodApi } = await import('#lib/config');
    const wrong = vodApi(stack.cfg, { credentials: { accessKeyId: 'AKLTlocalemulator', secretAccessKey: 'wrong-secret-value' }, retries: 0, now: () => new Date('2026-11-25T18:00:00Z') });
    const reply = await invoke(createHandler(wrong), withVid(EVENT, vid));
    assert.deepEqual({ status: reply.status, body: reply.body }, { status: 502, body: { error: 'BadGateway', message: 'the video service failed', requestId: RID } });
    const log = JSON.parse(reply.logs[0] ?? '{}') as { level: string; error: { code: string; action: string } };
    assert.deepEqual([log.level, log.error.code, log.error.action], ['ERROR', 'SignatureDoesNotMatch', 'GetPlayInfo']);
    assert.equal(reply.logs.join('\n').includes('wrong-secret-value'), false);
  });

  it('answers 502 when the service is down', async () => {
    const { createHandler } = await import('../../functions/play-info/handler.ts');
    const { vodApi } = await import('#lib/config');
    const down = vodApi({ region: 'cn-north-1', vodEndpoint: `http://127.0.0.1:${await closedPort()}` }, { credentials: { accessKeyId: 'AKLTlocalemulator', secretAccessKey: 'local-emulator-secret' }, retries: 0 });
    const reply = await invoke(createHandler(down), withVid(EVENT, vid));
    assert.deepEqual({ status: reply.status, body: reply.body }, { status: 502, body: { error: 'BadGateway', message: 'the video service failed', requestId: RID } });
  });
});
