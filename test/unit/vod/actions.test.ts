import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VodClient } from '#lib/vod';
import { VodTestServer, type Recorded } from '../../support/vod-test-server.ts';

const credentials = { accessKeyId: 'AKLTactionsTest01', secretAccessKey: 'actions-secret-key-01' };
const NOW = new Date('2024-01-02T03:04:05Z');

let server: VodTestServer;
let vod: VodClient;

before(async () => {
  server = await new VodTestServer({ secrets: { [credentials.accessKeyId]: credentials.secretAccessKey }, now: () => NOW }).start();
  vod = new VodClient({ endpoint: server.origin, credentials, now: () => NOW, retries: 0 });
});
after(() => server.close());

/** Runs one call and returns the single request the server saw, after checking its signature verified. */
async function one<R>(action: string, result: unknown, run: () => Promise<R>): Promise<{ req: Recorded; out: R }> {
  server.requests.length = 0;
  server.results.set(action, result);
  const out = await run();
  assert.equal(server.requests.length, 1);
  const req = server.requests[0]!;
  assert.deepEqual(req.verified && req.verified.ok && [req.verified.form, req.verified.principal], ['header', credentials.accessKeyId]);
  assert.equal(req.headers.accept, 'application/json');
  assert.equal(req.path, '/');
  return { req, out };
}

const json = (req: Recorded): unknown => JSON.parse(req.body.toString('utf8'));
/** The query's keys in wire order, after Action and Version. */
const queryOf = (req: Recorded): Array<[string, string]> => [...new URLSearchParams(req.rawQuery)];

describe('VodClient request shapes (one per action, signatures verified by #lib/signing)', () => {
  test('GetPlayInfo: GET 2019-03-15, snake-case video_id, Ssl flag as "1"', async () => {
    const result = { Data: { Status: 10, VideoID: 'v1', PlayInfoList: [] } };
    const { req, out } = await one('GetPlayInfo', result, () =>
      vod.getPlayInfo({ video_id: 'v1', Definition: '720p', Ssl: true, Format: 'mp4', Codec: 'H264', 'X-Amz-Expires': 60 }));
    assert.equal(req.method, 'GET');
    assert.deepEqual(queryOf(req), [
      ['Action', 'GetPlayInfo'], ['Version', '2019-03-15'], ['video_id', 'v1'], ['Definition', '720p'], ['Ssl', '1'],
      ['Format', 'mp4'], ['Codec', 'H264'], ['X-Amz-Expires', '60'],
    ]);
    assert.equal(req.size, 0);
    assert.equal(req.headers['content-type'], undefined);
    assert.deepEqual(out, result);
  });

  test('GetOriginVideoPlayInfo: GET 2018-01-01 Vid, Ssl', async () => {
    const result = { MediaType: 'video', Duration: 1.5, MainPlayUrl: 'https://p/x.mp4' };
    const { req, out } = await one('GetOriginVideoPlayInfo', result, () => vod.getOriginVideoPlayInfo({ Vid: 'v2', Ssl: '1' }));
    assert.equal(req.method, 'GET');
    assert.deepEqual(queryOf(req), [['Action', 'GetOriginVideoPlayInfo'], ['Version', '2018-01-01'], ['Vid', 'v2'], ['Ssl', '1']]);
    assert.deepEqual(out, result);
  });

  test('StartTranscode: POST, TemplateId in the query, the rest as a JSON body', async () => {
    const { req, out } = await one('StartTranscode', { RunId: 'run-1' }, () =>
      vod.startTranscode({ TemplateId: 'tpl-1', Vid: 'v3', Input: { 标题: 'x' }, Priority: 2, CallbackArgs: 'cb', CallbackUri: 'https://cb/x' }));
    assert.equal(req.method, 'POST');
    assert.deepEqual(queryOf(req), [['Action', 'StartTranscode'], ['Version', '2018-01-01'], ['TemplateId', 'tpl-1']]);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(json(req), { Vid: 'v3', Input: { 标题: 'x' }, Priority: 2, CallbackArgs: 'cb', CallbackUri: 'https://cb/x' });
    assert.deepEqual(out, { RunId: 'run-1' });
  });

  test('UploadMediaByUrl 2018-01-01: GET, SourceUrls comma-joined', async () => {
    const { req, out } = await one('UploadMediaByUrl', { Code: 0, Message: 'ok' }, () =>
      vod.uploadMediaByUrl({ SpaceName: 's1', Format: 'mp4', SourceUrls: ['http://a/1.mp4', 'http://a/2.mp4?x=1&y=2'], CallbackArgs: 'c' }));
    assert.equal(req.method, 'GET');
    assert.deepEqual(queryOf(req), [
      ['Action', 'UploadMediaByUrl'], ['Version', '2018-01-01'], ['SpaceName', 's1'], ['Format', 'mp4'],
      ['SourceUrls', 'http://a/1.mp4,http://a/2.mp4?x=1&y=2'], ['CallbackArgs', 'c'],
    ]);
    assert.deepEqual(out, { Code: 0, Message: 'ok' });
  });

  test('UploadMediaByUrl 2020-08-01: GET, URLSets as a JSON string', async () => {
    const sets = [{ SourceUrl: 'http://a/1.mp4', CallbackArgs: 'c1', Title: 'T ü' }, { SourceUrl: 'http://a/2.mp4' }];
    const result = { Data: [{ JobId: 'j1', SourceUrl: 'http://a/1.mp4' }, { JobId: 'j2', SourceUrl: 'http://a/2.mp4' }] };
    const { req, out } = await one('UploadMediaByUrl', result, () => vod.uploadMediaByUrl({ SpaceName: 's1', URLSets: sets }));
    assert.equal(req.method, 'GET');
    assert.deepEqual(queryOf(req), [['Action', 'UploadMediaByUrl'], ['Version', '2020-08-01'], ['SpaceName', 's1'], ['URLSets', JSON.stringify(sets)]]);
    assert.deepEqual(out, result);
  });

  test('QueryUploadTaskInfo: GET 2020-08-01, JobIds comma-joined', async () => {
    const result = { Data: { MediaInfoList: [], NotExistJobIds: ['j9'] } };
    const { req, out } = await one('QueryUploadTaskInfo', result, () => vod.queryUploadTaskInfo({ JobIds: ['j1', 'j9'] }));
    assert.equal(req.method, 'GET');
    assert.deepEqual(queryOf(req), [['Action', 'QueryUploadTaskInfo'], ['Version', '2020-08-01'], ['JobIds', 'j1,j9']]);
    assert.deepEqual(out, result);
  });

  test('ApplyUpload: GET 2018-01-01 with FileType, FileSize', async () => {
    const result = { UploadAddress: { StoreInfos: [{ StoreUri: 'a/b', Auth: 'x' }], UploadHosts: ['h'], SessionKey: 'k' } };
    const { req, out } = await one('ApplyUpload', result, () => vod.applyUpload({ SpaceName: 's1', FileType: 'video', FileSize: 12, TosKeys: ['k1', 'k2'] }));
    assert.equal(req.method, 'GET');
    assert.deepEqual(queryOf(req), [
      ['Action', 'ApplyUpload'], ['Version', '2018-01-01'], ['SpaceName', 's1'], ['FileType', 'video'], ['FileSize', '12'], ['TosKeys', 'k1,k2'],
    ]);
    assert.deepEqual(out, result);
  });

  test('CommitUpload: POST, SpaceName in the query, SessionKey / CallbackArgs / Functions as JSON', async () => {
    const result = { Results: [{ Vid: 'v9' }] };
    const { req, out } = await one('CommitUpload', result, () =>
      vod.commitUpload({ SpaceName: 's1', SessionKey: 'sk-1', CallbackArgs: 'cb', Functions: [{ Name: 'GetMeta' }, { Name: 'Snapshot', Input: { SnapshotTime: 2.5 } }] }));
    assert.equal(req.method, 'POST');
    assert.deepEqual(queryOf(req), [['Action', 'CommitUpload'], ['Version', '2018-01-01'], ['SpaceName', 's1']]);
    assert.deepEqual(json(req), { SessionKey: 'sk-1', CallbackArgs: 'cb', Functions: [{ Name: 'GetMeta' }, { Name: 'Snapshot', Input: { SnapshotTime: 2.5 } }] });
    assert.deepEqual(out, result);
  });

  test('ModifyVideoInfo: POST JSON body, tag arrays comma-joined', async () => {
    const result = { BaseResp: { StatusCode: 0, StatusMessage: 'ok' } };
    const { req, out } = await one('ModifyVideoInfo', result, () =>
      vod.modifyVideoInfo({ SpaceName: 's1', Vid: 'v1', Info: { Title: 't', PosterUri: 'p/u' }, Tags: { Adds: ['a', 'b'], Deletes: 'c' } }));
    assert.equal(req.method, 'POST');
    assert.deepEqual(queryOf(req), [['Action', 'ModifyVideoInfo'], ['Version', '2018-01-01']]);
    assert.deepEqual(json(req), { SpaceName: 's1', Vid: 'v1', Info: { Title: 't', PosterUri: 'p/u' }, Tags: { Adds: 'a,b', Deletes: 'c' } });
    assert.deepEqual(out, result);
  });

  test('SetVideoPublishStatus: POST JSON body, no Result', async () => {
    server.requests.length = 0;
    server.results.set('SetVideoPublishStatus', () => undefined);
    server.intercept = undefined;
    const out = await vod.setVideoPublishStatus({ SpaceName: 's1', Vid: 'v1', Status: 'Published' });
    const req = server.requests[0]!;
    assert.equal(out, undefined);
    assert.equal(req.method, 'POST');
    assert.deepEqual(queryOf(req), [['Action', 'SetVideoPublishStatus'], ['Version', '2018-01-01']]);
    assert.deepEqual(json(req), { SpaceName: 's1', Vid: 'v1', Status: 'Published' });
  });

  test('GetCdnDomainWeights: GET 2019-07-01', async () => {
    const result = { s1: { 'p1.cdn.test': 3, 'p2.cdn.test': 1 } };
    const { req, out } = await one('GetCdnDomainWeights', result, () => vod.getCdnDomainWeights({ SpaceName: 's1', ProductLine: 'vcloud' }));
    assert.equal(req.method, 'GET');
    assert.deepEqual(queryOf(req), [['Action', 'GetCdnDomainWeights'], ['Version', '2019-07-01'], ['SpaceName', 's1'], ['ProductLine', 'vcloud']]);
    assert.deepEqual(out, result);
  });

  test('unicode and reserved characters in query values survive the wire and the signature', async () => {
    const vid = 'v 1/ü+&=*%~';
    const { req } = await one('GetOriginVideoPlayInfo', {}, () => vod.getOriginVideoPlayInfo({ Vid: vid }));
    assert.equal(req.query.Vid, vid);
    assert.match(req.rawQuery, /Vid=v%201%2F%C3%BC%2B%26%3D%2A%25~/);
  });

  test('STS2 credentials sign with X-Amz-Security-Token and the temporary key', async () => {
    const sts = vod.signSts2(null, 3600);
    const temp = new VodClient({
      endpoint: server.origin, now: () => NOW, retries: 0,
      credentials: { accessKeyId: sts.AccessKeyId, secretAccessKey: sts.SecretAccessKey, sessionToken: sts.SessionToken },
    });
    const { req } = await one('GetOriginVideoPlayInfo', {}, () => temp.getOriginVideoPlayInfo({ Vid: 'v1' }));
    assert.equal(req.headers['x-amz-security-token'], sts.SessionToken);
    assert.equal(req.verified?.ok && req.verified.accessKeyId, sts.AccessKeyId);
  });

  test('default endpoint is https on the region host; endpoint overrides scheme, host and port', () => {
    assert.equal(new VodClient({ credentials }).origin, 'https://vod.bytedanceapi.com');
    assert.equal(new VodClient({ credentials, region: 'ap-singapore-1' }).origin, 'https://vod.ap-singapore-1.bytedanceapi.com');
    assert.equal(new VodClient({ credentials, endpoint: 'http://127.0.0.1:4100/ignored/path' }).origin, 'http://127.0.0.1:4100');
    assert.throws(() => new VodClient({ region: 'mars-1' }), { name: 'ConfigError' });
  });
});
