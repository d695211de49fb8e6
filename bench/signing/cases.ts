/** The fixed inputs of the signing bench, shared by the race and the profiled child. */
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { signQuery, signRequest, type ApiRequest, type Credentials } from '#lib/signing';
import { cryptoSignQuery, cryptoSignRequest, cryptoUploadToken } from './crypto-sigv4.ts';

export const credentials: Credentials = { accessKeyId: 'AKLTlocalemulator', secretAccessKey: 'local-emulator-secret' };
export const region = 'cn-north-1';
export const now = new Date('2024-05-01T12:34:56Z');
const opts = { credentials, region, now };

/** A typical API call of each kind: GetPlayInfo (GET) and CommitUpload (POST with a JSON body). */
export const getReq: ApiRequest = {
  method: 'GET',
  host: 'vod.bytedanceapi.com',
  query: { Action: 'GetPlayInfo', Version: '2019-03-15', video_id: 'v0d3f2a1b9c8e7d6f5a4b3c2d1e0f9a8', Definition: '720p', Ssl: '1' },
  headers: { Accept: 'application/json' },
};
export const postReq: ApiRequest = {
  method: 'POST',
  host: 'vod.bytedanceapi.com',
  query: { Action: 'CommitUpload', Version: '2018-01-01', SpaceName: 'demo-space' },
  headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
  body: JSON.stringify({ SessionKey: 'eyJhY2NvdW50VHlwZSI6InZjbG91ZCIsImFwcElkIjoiMTAwMDAwIn0', CallbackArgs: 'item-42', Functions: [{ Name: 'GetMeta' }] }),
};
const space = 'demo-space';
const expires = '3600';

// Bare Smithy: one SignatureV4 reused, as our wrapper does; the same request fields built per call.
export const signer = new SignatureV4({ credentials, region, service: 'vod', sha256: Hash.bind(null, 'sha256'), applyChecksum: true });

export async function smithyHeader(req: ApiRequest): Promise<Record<string, string>> {
  const headers: Record<string, string> = { host: req.host };
  const ct = req.headers?.['Content-Type'];
  if (ct !== undefined) headers['content-type'] = ct;
  const signed = await signer.sign(
    new HttpRequest({ method: req.method, protocol: 'https:', hostname: req.host, path: '/', query: req.query, headers, body: req.body }),
    { signingDate: now },
  );
  return signed.headers as Record<string, string>;
}

const signedQueries = 'Action;SpaceName;Version;X-Amz-Algorithm;X-Amz-Credential;X-Amz-Date;X-Amz-Expires;X-Amz-NotSignBody;X-Amz-SignedHeaders;X-Amz-SignedQueries';
/** One bare presign of the protocol 6.2 form (X-Amz-SignedQueries precomputed: the baseline gets it for free). */
export function smithyPresign(method: 'GET' | 'POST', action: string) {
  return signer.presign(
    new HttpRequest({
      method, protocol: 'https:', hostname: '', path: '/', headers: {},
      query: { Action: action, Version: '2018-01-01', SpaceName: space, 'X-Amz-NotSignBody': '', 'X-Amz-SignedQueries': signedQueries },
    }),
    { signingDate: now, expiresIn: 3600 },
  );
}

export const ourQuery = () => signQuery({ method: 'GET', query: { Action: 'ApplyUpload', Version: '2018-01-01', SpaceName: space, 'X-Amz-Expires': expires } }, opts);
export const cryptoQuery = () => cryptoSignQuery({ method: 'GET', query: { Action: 'ApplyUpload', Version: '2018-01-01', SpaceName: space, 'X-Amz-Expires': expires } }, opts);

type TokenFn = (params: { SpaceName: string; 'X-Amz-Expires'?: string | number }, ctx: { credentials: Credentials; region: string; now: Date }) => Promise<string>;
let uploadAuthToken: TokenFn | undefined;
/** Our upload token: lib/vod's uploadAuthToken (what VodClient.getUploadAuthToken and issue-upload-token call). */
export async function loadTokenFn(): Promise<{ fn: TokenFn; source: string }> {
  if (!uploadAuthToken) {
    const vod = (await import('#lib/vod')) as { uploadAuthToken: TokenFn };
    uploadAuthToken = vod.uploadAuthToken;
  }
  return { fn: uploadAuthToken, source: 'lib/vod uploadAuthToken' };
}
export const cryptoToken = () => cryptoUploadToken(space, expires, opts);

export const ourHeader = (req: ApiRequest) => signRequest(req, opts);
export const cryptoHeader = (req: ApiRequest) => cryptoSignRequest(req, opts);
export const tokenParams = { SpaceName: space, 'X-Amz-Expires': expires };
export const signOpts = opts;
