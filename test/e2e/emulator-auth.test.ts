import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@smithy/protocol-http';
import { signQuery, signRequest, smithySigner } from '#lib/signing';
import { VodClient, VodError, encodeQuery } from '#lib/vod';
import { startEmulator, type Emulator } from '#local/emulator';
import { LOCAL, fixedClock, handSignedQuery, md5, rawHttp } from '../fixtures/emulator/helpers.ts';

const SPACE = 'demo-space';
const clock = fixedClock();
let emu: Emulator;
let vod: VodClient;
let vid = '';
let otherVid = '';

async function code(p: Promise<unknown>): Promise<[string, number]> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof VodError, String(e));
    return [e.code, e.httpStatus];
  }
  return ['ok', 200];
}

function client(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, region = 'cn-north-1', now = clock.now): VodClient {
  return new VodClient({ endpoint: emu.url, credentials, region, now, retries: 0 });
}

function decodeToken(token: string): Record<string, string> {
  return JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Record<string, string>;
}

async function envelope(res: { status: number; text: string }): Promise<[number, string, unknown]> {
  const body = JSON.parse(res.text) as { ResponseMetadata: { Error?: { Code: string } }; Result?: unknown };
  return [res.status, body.ResponseMetadata.Error?.Code ?? 'ok', body.Result];
}

/** Status, Error (Code and Message, or 'ok') and the Action / Version the envelope names. */
function verdict(res: { status: number; text: string }): { status: number; error: string; action: unknown; version: unknown } {
  const m = (JSON.parse(res.text) as { ResponseMetadata: { Action: unknown; Version: unknown; Error?: { Code: string; Message: string } } }).ResponseMetadata;
  return { status: res.status, error: m.Error ? `${m.Error.Code}: ${m.Error.Message}` : 'ok', action: m.Action, version: m.Version };
}

/** A header-signed (SigV4) API request sent as is. */
async function headerSigned(method: string, query: Record<string, string>, body?: string, contentType?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const headers = await signRequest(
    { method, host: `127.0.0.1:${emu.port}`, query, ...(contentType ? { headers: { 'content-type': contentType } } : {}), ...(body === undefined ? {} : { body }) },
    { credentials: LOCAL, region: 'cn-north-1', now: clock.now() },
  );
  return rawHttp(`${emu.url}/?${encodeQuery(query)}`, { method, headers, ...(body === undefined ? {} : { body }) });
}

before(async () => {
  emu = await startEmulator({ port: 0, seed: 11, now: clock.now, transcodeDelayMs: 0 });
  vod = client(LOCAL);
  vid = (await vod.uploadVideo({ spaceName: SPACE, body: Buffer.from('video one') })).Results[0]!.Vid!;
  otherVid = (await vod.uploadVideo({ spaceName: SPACE, body: Buffer.from('video two') })).Results[0]!.Vid!;
});
after(() => emu.close());

describe('emulator authentication and authorization', () => {
  it('upload token: ApplyUpload and CommitUpload made with only the token', async () => {
    const token = decodeToken(await vod.getUploadAuthToken({ SpaceName: SPACE, 'X-Amz-Expires': 600 }));
    assert.deepStrictEqual(Object.keys(token), ['Version', 'ApplyUploadToken', 'CommitUploadToken']);
    const apply = JSON.parse(await (await fetch(`${emu.url}/?${token.ApplyUploadToken}`)).text()) as { Result: { UploadAddress: { StoreInfos: Array<{ StoreUri: string; Auth: string }>; UploadHosts: string[]; SessionKey: string } } };
    const addr = apply.Result.UploadAddress;
    assert.deepStrictEqual(addr.UploadHosts, [`127.0.0.1:${emu.port}`]);
    const bytes = Buffer.from('bytes uploaded by a browser holding only a token');
    const put = await fetch(`http://${addr.UploadHosts[0]}/${addr.StoreInfos[0]!.StoreUri}`, { method: 'PUT', body: bytes, headers: { Authorization: addr.StoreInfos[0]!.Auth, 'Content-CRC32': 'Ignore' } });
    assert.equal(put.status, 200);
    const commit = await fetch(`${emu.url}/?${token.CommitUploadToken}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ SessionKey: addr.SessionKey }) });
    const [status, errorCode, result] = await envelope({ status: commit.status, text: await commit.text() });
    assert.deepStrictEqual([status, errorCode], [200, 'ok']);
    const r = (result as { Results: Array<{ Vid: string; VideoMeta: { Md5: string; Size: number } }> }).Results[0]!;
    assert.deepStrictEqual([r.VideoMeta.Md5, r.VideoMeta.Size, typeof emu.state.videos[r.Vid]], [md5(bytes), bytes.length, 'object']);
    // the ApplyUpload token used as a CommitUpload (signed as GET, sent as POST) is refused
    const wrongMethod = await fetch(`${emu.url}/?${token.ApplyUploadToken}`, { method: 'POST' });
    assert.equal((await envelope({ status: wrongMethod.status, text: await wrongMethod.text() }))[1], 'SignatureDoesNotMatch');
  });

  it('play token: GetPlayInfo with only the token; it names one video', async () => {
    const token = decodeToken(await vod.getPlayAuthToken({ video_id: vid, 'X-Amz-Expires': 60 }));
    const res = await rawHttp(`${emu.url}/?${token.GetPlayInfoToken}`, { method: 'GET' });
    const [status, errorCode, result] = await envelope(res);
    assert.deepStrictEqual([status, errorCode, (result as { Data: { VideoID: string } }).Data.VideoID], [200, 'ok', vid]);
    const swapped = token.GetPlayInfoToken!.replace(`video_id=${vid}`, `video_id=${otherVid}`);
    assert.deepStrictEqual((await envelope(await rawHttp(`${emu.url}/?${swapped}`, { method: 'GET' }))).slice(0, 2), [403, 'SignatureDoesNotMatch']);
    clock.advance(61);
    try {
      assert.deepStrictEqual((await envelope(await rawHttp(`${emu.url}/?${token.GetPlayInfoToken}`, { method: 'GET' }))).slice(0, 2), [403, 'RequestExpired']);
    } finally { clock.advance(-61); }
  });

  it('tokens without X-Amz-Expires (older SDKs) default to 900 s', async () => {
    const q = handSignedQuery({ method: 'GET', params: [['Action', 'GetPlayInfo'], ['Version', '2019-03-15'], ['video_id', vid]], ak: LOCAL.accessKeyId, sk: LOCAL.secretAccessKey, region: 'cn-north-1', date: clock.now() });
    assert.ok(!q.includes('X-Amz-Expires'));
    assert.deepStrictEqual((await envelope(await rawHttp(`${emu.url}/?${q}`, { method: 'GET' }))).slice(0, 2), [200, 'ok']);
    clock.advance(899);
    assert.deepStrictEqual((await envelope(await rawHttp(`${emu.url}/?${q}`, { method: 'GET' }))).slice(0, 2), [200, 'ok']);
    clock.advance(2);
    try {
      assert.deepStrictEqual((await envelope(await rawHttp(`${emu.url}/?${q}`, { method: 'GET' }))).slice(0, 2), [403, 'RequestExpired']);
    } finally { clock.advance(-901); }
  });

  it('STS2 play credentials: allowed for their video and watermark, refused elsewhere', async () => {
    const sts = vod.getVideoPlayAuth([vid], [], ['wm1'], 3600);
    const c = client({ accessKeyId: sts.AccessKeyId, secretAccessKey: sts.SecretAccessKey, sessionToken: sts.SessionToken });
    assert.equal((await c.getPlayInfo({ video_id: vid, Watermark: 'wm1' })).Data.VideoID, vid);
    assert.equal((await c.getPlayInfo({ video_id: vid })).Data.VideoID, vid);
    assert.deepStrictEqual(await code(c.getPlayInfo({ video_id: otherVid })), ['AccessDenied', 403]);
    assert.deepStrictEqual(await code(c.getPlayInfo({ video_id: vid, Watermark: 'wm2' })), ['AccessDenied', 403]);
    assert.deepStrictEqual(await code(c.applyUpload({ SpaceName: SPACE })), ['AccessDenied', 403]);
    assert.deepStrictEqual(await code(c.setVideoPublishStatus({ SpaceName: SPACE, Vid: vid, Status: 'Published' })), ['AccessDenied', 403]);
    clock.advance(3601);
    try {
      assert.deepStrictEqual(await code(c.getPlayInfo({ video_id: vid })), ['RequestExpired', 403]);
    } finally { clock.advance(-3601); }
  });

  it('STS2 upload credentials: upload in their space only', async () => {
    const sts = vod.getUploadAuth(SPACE, 600);
    const c = client({ accessKeyId: sts.AccessKeyId, secretAccessKey: sts.SecretAccessKey, sessionToken: sts.SessionToken });
    const up = await c.uploadVideo({ spaceName: SPACE, body: Buffer.from('sts upload') });
    assert.equal(up.Results[0]!.VideoMeta!.Md5, md5('sts upload'));
    assert.deepStrictEqual(await code(c.applyUpload({ SpaceName: 'other-space' })), ['AccessDenied', 403]);
    assert.deepStrictEqual(await code(c.getPlayInfo({ video_id: vid })), ['AccessDenied', 403]);
    const tampered = sts.SessionToken.slice(0, -4) + (sts.SessionToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.deepStrictEqual(await code(client({ accessKeyId: sts.AccessKeyId, secretAccessKey: sts.SecretAccessKey, sessionToken: tampered }).applyUpload({ SpaceName: SPACE })), ['InvalidCredential', 401]);
  });

  it('refuses tampered, expired, wrong-key and wrong-region requests with the right code', async () => {
    assert.deepStrictEqual(await code(client({ ...LOCAL, secretAccessKey: 'wrong' }).getPlayInfo({ video_id: vid })), ['SignatureDoesNotMatch', 403]);
    assert.deepStrictEqual(await code(client({ accessKeyId: 'AKLTnobody', secretAccessKey: 'x' }).getPlayInfo({ video_id: vid })), ['InvalidCredential', 401]);
    assert.deepStrictEqual(await code(client(LOCAL, 'ap-singapore-1').getPlayInfo({ video_id: vid })), ['InvalidCredential', 401]);
    const late = (): Date => new Date(clock.now().getTime() - 16 * 60 * 1000);
    assert.deepStrictEqual(await code(client(LOCAL, 'cn-north-1', late).getPlayInfo({ video_id: vid })), ['InvalidTimestamp', 403]);
    const slightlyLate = (): Date => new Date(clock.now().getTime() - 14 * 60 * 1000);
    assert.deepStrictEqual(await code(client(LOCAL, 'cn-north-1', slightlyLate).getPlayInfo({ video_id: vid })), ['ok', 200]);
    // tampered: the signed query differs from the one sent
    const host = `127.0.0.1:${emu.port}`;
    const query = { Action: 'GetPlayInfo', Version: '2019-03-15', video_id: vid };
    const headers = await signRequest({ method: 'GET', host, query }, { credentials: LOCAL, region: 'cn-north-1', now: clock.now() });
    const res = await rawHttp(`${emu.url}/?${encodeQuery({ ...query, video_id: otherVid })}`, { method: 'GET', headers });
    assert.deepStrictEqual((await envelope(res)).slice(0, 2), [403, 'SignatureDoesNotMatch']);
    const tamperedBody = await signRequest({ method: 'POST', host, query: { Action: 'SetVideoPublishStatus', Version: '2018-01-01' }, headers: { 'content-type': 'application/json' }, body: '{"Vid":"a"}' }, { credentials: LOCAL, region: 'cn-north-1', now: clock.now() });
    const res2 = await rawHttp(`${emu.url}/?Action=SetVideoPublishStatus&Version=2018-01-01`, { method: 'POST', headers: tamperedBody, body: '{"Vid":"b"}' });
    assert.deepStrictEqual((await envelope(res2)).slice(0, 2), [403, 'SignatureDoesNotMatch']);
    const unsigned = await rawHttp(`${emu.url}/?${encodeQuery(query)}`, { method: 'GET' });
    assert.deepStrictEqual((await envelope(unsigned)).slice(0, 2), [401, 'InvalidAuthorization']);
    const garbage = await rawHttp(`${emu.url}/?${encodeQuery(query)}`, { method: 'GET', headers: { authorization: 'Bearer nonsense' } });
    assert.deepStrictEqual((await envelope(garbage)).slice(0, 2), [401, 'InvalidAuthorization']);
  });

  it('accepts what the original SDKs send: GET with a JSON body, Host without port, unsigned Accept, comma lists', async () => {
    const body = JSON.stringify({ SpaceName: SPACE, Vid: vid, Status: 'Published' });
    const q = { Action: 'SetVideoPublishStatus', Version: '2018-01-01' };
    const signedNoPort = await signRequest({ method: 'GET', host: '127.0.0.1', query: q, headers: { 'content-type': 'application/json' }, body }, { credentials: LOCAL, region: 'cn-north-1', now: clock.now() });
    const res = await rawHttp(`${emu.url}/?${encodeQuery(q)}`, { method: 'GET', headers: { ...signedNoPort, accept: 'application/json' }, body });
    assert.deepStrictEqual((await envelope(res)), [200, 'ok', undefined]);
    assert.equal(emu.state.videos[vid]!.publishStatus, 'Published');
    const q2 = { Action: 'GetPlayInfo', Version: '2019-03-15', video_id: vid };
    const withPort = await signRequest({ method: 'GET', host: `127.0.0.1:${emu.port}`, query: q2 }, { credentials: LOCAL, region: 'cn-north-1', now: clock.now() });
    assert.deepStrictEqual((await envelope(await rawHttp(`${emu.url}/?${encodeQuery(q2)}`, { method: 'GET', headers: { ...withPort, accept: '*/*' } }))).slice(0, 2), [200, 'ok']);
    const q3 = { Action: 'QueryUploadTaskInfo', Version: '2020-08-01', JobIds: 'a,b' };
    const h3 = await signRequest({ method: 'GET', host: `127.0.0.1:${emu.port}`, query: q3 }, { credentials: LOCAL, region: 'cn-north-1', now: clock.now() });
    const [, , result] = await envelope(await rawHttp(`${emu.url}/?${encodeQuery(q3)}`, { method: 'GET', headers: h3 }));
    assert.deepStrictEqual(result, { Data: { MediaInfoList: [], NotExistJobIds: ['a', 'b'] } });
  });

  it('the payload is signed: X-Amz-Content-Sha256 UNSIGNED-PAYLOAD is refused, so a body swapped after signing has no effect', async () => {
    const host = `127.0.0.1:${emu.port}`;
    const signedBody = JSON.stringify({ SpaceName: SPACE, Vid: vid, Info: { Title: 'signed title' } });
    const request = new HttpRequest({
      method: 'POST', protocol: 'http:', hostname: host, path: '/', query: { Action: 'ModifyVideoInfo', Version: '2018-01-01' },
      headers: { host, 'content-type': 'application/json', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: signedBody,
    });
    const headers = (await smithySigner(LOCAL, 'cn-north-1').sign(request, { signingDate: clock.now() })).headers as Record<string, string>;
    const before = emu.state.videos[vid]!.title;
    const refused = { status: 403, error: 'SignatureDoesNotMatch: X-Amz-Content-Sha256 UNSIGNED-PAYLOAD is not accepted by vod: sign the sha256 of the body', action: 'ModifyVideoInfo', version: '2018-01-01' };
    const swapped = JSON.stringify({ SpaceName: SPACE, Vid: vid, Info: { Title: 'TAMPERED' } });
    assert.deepStrictEqual(verdict(await rawHttp(`${emu.url}/?Action=ModifyVideoInfo&Version=2018-01-01`, { method: 'POST', headers, body: swapped })), refused);
    assert.deepStrictEqual(verdict(await rawHttp(`${emu.url}/?Action=ModifyVideoInfo&Version=2018-01-01`, { method: 'POST', headers, body: signedBody })), refused);
    assert.equal(emu.state.videos[vid]!.title, before);
  });

  it('RedirectPlay takes a signed URL only: the same call header-signed is refused', async () => {
    const query = { Action: 'RedirectPlay', Version: '2018-01-01', Vid: vid };
    assert.deepStrictEqual(verdict(await headerSigned('GET', query)), {
      status: 401, error: 'InvalidAuthorization: RedirectPlay accepts only a signed URL (X-Amz-Signature in the query), not an Authorization header.', action: 'RedirectPlay', version: '2018-01-01',
    });
    const url = await signQuery({ method: 'GET', query }, { credentials: LOCAL, region: 'cn-north-1', now: clock.now() });
    const res = await rawHttp(`${emu.url}/?${url}`, { method: 'GET' });
    assert.deepStrictEqual([res.status, String(res.headers.location).startsWith(`${emu.url}/play/${vid}/`)], [302, true]);
  });

  it('each action accepts exactly the methods of protocol section 4; a wrong method is InvalidParameter', async () => {
    const catalogue: Array<[string, string, string[]]> = [
      ['GetPlayInfo', '2019-03-15', ['GET']], ['GetOriginVideoPlayInfo', '2018-01-01', ['GET']], ['RedirectPlay', '2018-01-01', ['GET']],
      ['StartTranscode', '2018-01-01', ['POST']], ['UploadMediaByUrl', '2018-01-01', ['GET']], ['UploadMediaByUrl', '2020-08-01', ['GET', 'POST']],
      ['QueryUploadTaskInfo', '2020-08-01', ['GET']], ['ApplyUpload', '2018-01-01', ['GET']], ['CommitUpload', '2018-01-01', ['POST']],
      ['ModifyVideoInfo', '2018-01-01', ['POST']], ['SetVideoPublishStatus', '2018-01-01', ['POST', 'GET']], ['GetCdnDomainWeights', '2019-07-01', ['GET']],
    ];
    const refused: string[] = [];
    for (const [action, version] of catalogue) {
      for (const method of ['GET', 'POST']) {
        // no parameters: an accepted method fails later (MissingParameter, ...), without any effect
        const v = verdict(await headerSigned(method, { Action: action, Version: version }));
        if (v.error.startsWith('InvalidParameter: Invalid parameter method')) refused.push(`${method} ${action} ${version} -> ${v.status} ${v.error}`);
      }
    }
    const expected = catalogue.flatMap(([action, version, methods]) => ['GET', 'POST'].filter((m) => !methods.includes(m))
      .map((m) => `${m} ${action} ${version} -> 400 InvalidParameter: Invalid parameter method: ${action} ${version} accepts ${methods.join(' or ')}, not ${m}`));
    assert.deepStrictEqual(refused, expected);
    // a CommitUpload token signed as GET (the protocol signs it as POST) is refused as GET too
    const token = await signQuery({ method: 'GET', query: { Action: 'CommitUpload', Version: '2018-01-01', SpaceName: SPACE } }, { credentials: LOCAL, region: 'cn-north-1', now: clock.now() });
    const res = await rawHttp(`${emu.url}/?${token}`, { method: 'GET', body: '{"SessionKey":"k"}' });
    assert.deepStrictEqual(verdict(res).error, 'InvalidParameter: Invalid parameter method: CommitUpload 2018-01-01 accepts POST, not GET');
  });

  it('Action and Version come from the query only, never from a form body; the envelope names what the query said', async () => {
    const form = (o: Record<string, string>): string => new URLSearchParams(o).toString();
    const urlSets = JSON.stringify([{ SourceUrl: `${emu.url}/play/${vid}/nothing.mp4` }]);
    const ct = 'application/x-www-form-urlencoded';
    const onlyInBody = await headerSigned('POST', {}, form({ Action: 'UploadMediaByUrl', Version: '2020-08-01', SpaceName: SPACE, URLSets: urlSets }), ct);
    assert.deepStrictEqual(verdict(onlyInBody), { status: 400, error: 'MissingParameter: The request is missing Action parameter.', action: '', version: '' });
    const versionInBody = await headerSigned('POST', { Action: 'UploadMediaByUrl' }, form({ Version: '2020-08-01', SpaceName: SPACE, URLSets: urlSets }), ct);
    assert.deepStrictEqual(verdict(versionInBody), { status: 400, error: 'MissingParameter: The request is missing Version parameter.', action: 'UploadMediaByUrl', version: '' });
    // POST form (UploadMediaByUrl 2020-08-01): the parameters come from the body, Action and Version from the query
    const jobs = Object.keys(emu.state.jobs).length;
    const ok = await headerSigned('POST', { Action: 'UploadMediaByUrl', Version: '2020-08-01' }, form({ Action: 'GetCdnDomainWeights', Version: '2019-07-01', SpaceName: SPACE, URLSets: urlSets }), ct);
    assert.deepStrictEqual({ ...verdict(ok), jobs: Object.keys(emu.state.jobs).length }, { status: 200, error: 'ok', action: 'UploadMediaByUrl', version: '2020-08-01', jobs: jobs + 1 });
    await emu.idle();
  });

  it('CORS preflight and exposed headers on the API and the upload host', async () => {
    const pre = await fetch(`${emu.url}/?Action=GetPlayInfo`, { method: 'OPTIONS', headers: { origin: 'http://app.local', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,x-amz-date' } });
    assert.deepStrictEqual([pre.status, pre.headers.get('access-control-allow-origin'), pre.headers.get('access-control-allow-headers')], [204, 'http://app.local', 'authorization,x-amz-date']);
    const pre2 = await fetch(`${emu.url}/tos-emu-v-0001/abc?partNumber=1&uploadID=x`, { method: 'OPTIONS', headers: { origin: 'http://app.local', 'access-control-request-method': 'PUT' } });
    assert.deepStrictEqual([pre2.status, pre2.headers.get('access-control-allow-methods')], [204, 'GET, HEAD, POST, PUT, OPTIONS']);
    const put = await fetch(`${emu.url}/tos-emu-v-0001/unknown`, { method: 'PUT', body: 'x', headers: { origin: 'http://app.local' } });
    assert.deepStrictEqual([put.status, put.headers.get('access-control-allow-origin'), put.headers.get('access-control-expose-headers')?.includes('X-Tt-Logid')], [404, 'http://app.local', true]);
  });

  it('refuses oversized or malformed input without crashing', async () => {
    const host = `127.0.0.1:${emu.port}`;
    const q = { Action: 'StartTranscode', Version: '2018-01-01', TemplateId: 't' };
    const big = 'x'.repeat(1024 * 1024 + 1);
    const big413 = await rawHttp(`${emu.url}/?${encodeQuery(q)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    assert.deepStrictEqual((await envelope(big413)).slice(0, 2), [413, 'InvalidParameter']);
    const body = '{not json';
    const h = await signRequest({ method: 'POST', host, query: q, headers: { 'content-type': 'application/json' }, body }, { credentials: LOCAL, region: 'cn-north-1', now: clock.now() });
    assert.deepStrictEqual((await envelope(await rawHttp(`${emu.url}/?${encodeQuery(q)}`, { method: 'POST', headers: h, body }))).slice(0, 2), [400, 'InvalidParameter']);
    const weird = await rawHttp(`${emu.url}/%E0%A4%A`, { method: 'PUT', body: 'x' });
    assert.equal(weird.status, 400);
    assert.deepStrictEqual(await code(vod.getPlayInfo({ video_id: vid, 'X-Amz-Expires': 'soon' })), ['InvalidParameter', 400]);
    assert.deepStrictEqual((await (await fetch(`${emu.url}/__emulator/health`)).json()), { ok: true, region: 'cn-north-1' });
  });
});
