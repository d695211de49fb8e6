// vod-browser.js: upload and play with VOD auth tokens, straight from a browser, no secret key in sight.
//
// A single dependency-free ES module: copy it into your app as is. It speaks the wire protocol of the
// VOD OpenAPI (docs: vod-protocol.md sections 5 and 6.3):
//   upload token  = base64(JSON{Version, ApplyUploadToken, CommitUploadToken})   (two signed query strings)
//   play token    = base64(JSON{Version, GetPlayInfoToken})                      (one signed query string)
//   ApplyUpload   GET  {endpoint}/?{ApplyUploadToken}
//   bytes         PUT  {scheme}://{UploadHosts[0]}/{StoreUri}   (direct, or multipart "gateway" mode)
//   CommitUpload  POST {endpoint}/?{CommitUploadToken}   body {"SessionKey": ...}
//   GetPlayInfo   GET  {endpoint}/?{GetPlayInfoToken}
// Tokens and the upload Auth are credentials: this module never logs them and keeps them out of error messages.
//
// @ts-check

/** Parts are at least 5 MiB except the last (protocol section 5). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Files larger than this go up in parts (multipart "gateway" mode); smaller ones in one PUT. */
export const DEFAULT_MULTIPART_THRESHOLD = 20 * 1024 * 1024;
const MAX_PARTS = 10000;
const CRC_CHUNK = 4 * 1024 * 1024;

/**
 * Every failure of this module: a VOD error envelope (`ResponseMetadata.Error`), an upload-host error
 * (`{success, error}`), a network failure or a malformed token. `code` is the service's code when it sent one.
 */
export class VodBrowserError extends Error {
  /**
   * @param {{ code: string, message: string, action: string, httpStatus?: number, requestId?: string }} e
   */
  constructor(e) {
    super(`${e.action}: ${e.code}: ${e.message}`);
    this.name = 'VodBrowserError';
    this.code = e.code;
    this.action = e.action;
    this.httpStatus = e.httpStatus ?? 0;
    this.requestId = e.requestId ?? '';
    this.serviceMessage = e.message;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tokens

/**
 * Decodes a base64 JSON token. Tolerates whitespace and line breaks, URL-safe base64, missing padding, any key
 * order and any JSON spacing (SDKs differ).
 * @param {string} token
 * @param {string} what the token's name, for error messages
 * @returns {Record<string, unknown>}
 */
function decodeToken(token, what) {
  const fail = (/** @type {string} */ why) => new VodBrowserError({ code: 'InvalidToken', message: `${what}: ${why}`, action: 'DecodeToken' });
  if (typeof token !== 'string') throw fail('not a string');
  let b64 = token.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (b64.length === 0) throw fail('empty');
  b64 += '='.repeat((4 - (b64.length % 4)) % 4);
  let json;
  try {
    const bin = atob(b64);
    json = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    throw fail('not base64 text');
  }
  let value;
  try {
    value = JSON.parse(json);
  } catch {
    throw fail('not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail('not a JSON object');
  return value;
}

/** @param {Record<string, unknown>} obj @param {string} key @param {string} what */
function field(obj, key, what) {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') {
    throw new VodBrowserError({ code: 'InvalidToken', message: `${what}: no ${key}`, action: 'DecodeToken' });
  }
  return v.replace(/^\?/, '');
}

/**
 * @typedef {{ Version: string, ApplyUploadToken: string, CommitUploadToken: string }} UploadToken
 * @typedef {{ Version: string, GetPlayInfoToken: string }} PlayToken
 */

/**
 * Decodes an upload auth token into its two signed query strings.
 * @param {string} token
 * @returns {UploadToken}
 */
export function decodeUploadToken(token) {
  const t = decodeToken(token, 'upload token');
  return {
    Version: typeof t.Version === 'string' ? t.Version : '',
    ApplyUploadToken: field(t, 'ApplyUploadToken', 'upload token'),
    CommitUploadToken: field(t, 'CommitUploadToken', 'upload token'),
  };
}

/**
 * Decodes a play auth token into its signed GetPlayInfo query string.
 * @param {string} token
 * @returns {PlayToken}
 */
export function decodePlayToken(token) {
  const t = decodeToken(token, 'play token');
  return { Version: typeof t.Version === 'string' ? t.Version : '', GetPlayInfoToken: field(t, 'GetPlayInfoToken', 'play token') };
}

/**
 * The readable, non-secret facts of a signed query (for display): action, parameters, signing time, expiry and
 * the access key id. The signature and any session token are left out.
 * @param {string} signedQuery
 * @returns {{ action: string, version: string, params: Record<string, string>, accessKeyId: string, signedAt: Date | null, expiresAt: Date | null }}
 */
export function describeSignedQuery(signedQuery) {
  const q = new URLSearchParams(signedQuery);
  /** @type {Record<string, string>} */
  const params = {};
  for (const [k, v] of q) if (k !== 'Action' && k !== 'Version' && !k.startsWith('X-Amz-')) params[k] = v;
  const date = q.get('X-Amz-Date') ?? '';
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  const [, y, mo, d, h, mi, se] = (m ?? []).map(Number);
  const signedAt = m ? new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se))) : null;
  const expires = Number(q.get('X-Amz-Expires') ?? '900');
  return {
    action: q.get('Action') ?? '',
    version: q.get('Version') ?? '',
    params,
    accessKeyId: (q.get('X-Amz-Credential') ?? '').split('/')[0] ?? '',
    signedAt,
    expiresAt: signedAt && Number.isFinite(expires) ? new Date(signedAt.getTime() + expires * 1000) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// CRC32 (IEEE 802.3, as the upload host checks it in Content-CRC32)

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC32 of `bytes`, continuing from `previous` (the CRC of the bytes before), so it can run chunk by chunk.
 * @param {Uint8Array} bytes
 * @param {number} [previous]
 * @returns {number} unsigned 32-bit
 */
export function crc32(bytes, previous = 0) {
  let c = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) c = /** @type {number} */ (CRC_TABLE[(c ^ /** @type {number} */ (bytes[i])) & 0xff]) ^ (c >>> 8);
  return ~c >>> 0;
}

/** @param {number} value @returns {string} 8 lowercase hex digits */
export function crc32Hex(value) {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/**
 * CRC32 of a Blob (a File or a slice of one), read in chunks so a large file is never held in memory whole.
 * @param {Blob} blob
 * @param {{ chunkSize?: number, onProgress?: (done: number, total: number) => void }} [opts]
 * @returns {Promise<string>} 8 lowercase hex digits
 */
export async function crc32OfBlob(blob, opts = {}) {
  const chunk = opts.chunkSize ?? CRC_CHUNK;
  let crc = 0;
  for (let off = 0; off < blob.size; off += chunk) {
    crc = crc32(new Uint8Array(await blob.slice(off, off + chunk).arrayBuffer()), crc);
    opts.onProgress?.(Math.min(off + chunk, blob.size), blob.size);
  }
  return crc32Hex(crc);
}

// ---------------------------------------------------------------------------------------------------------
// The VOD API (signed query strings from the tokens)

/**
 * One API call with a signed query; returns `Result`, or throws the envelope's Error as a VodBrowserError.
 * @param {string} endpoint e.g. 'https://vod.bytedanceapi.com' or 'http://127.0.0.1:4100'
 * @param {'GET' | 'POST'} method
 * @param {string} signedQuery
 * @param {unknown} [body] JSON body (POST)
 * @returns {Promise<any>}
 */
export async function callSigned(endpoint, method, signedQuery, body) {
  const action = new URLSearchParams(signedQuery).get('Action') ?? 'Request';
  const url = `${endpoint.replace(/\/+$/, '')}/?${signedQuery}`;
  /** @type {RequestInit} */
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw networkError(action, endpoint, err);
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VodBrowserError({ code: 'InvalidResponse', message: `HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`, action, httpStatus: res.status });
  }
  const meta = json?.ResponseMetadata;
  const err = meta?.Error;
  if (err && (err.Code || err.Message)) {
    throw new VodBrowserError({ code: String(err.Code ?? 'Error'), message: String(err.Message ?? ''), action, httpStatus: res.status, requestId: meta?.RequestId });
  }
  if (!res.ok) throw new VodBrowserError({ code: 'HttpError', message: `HTTP ${res.status}: ${text.slice(0, 200)}`, action, httpStatus: res.status, requestId: meta?.RequestId });
  return json.Result ?? {};
}

/** @param {string} action @param {string} where @param {unknown} err */
function networkError(action, where, err) {
  const why = err instanceof Error ? err.message : String(err);
  return new VodBrowserError({ code: 'NetworkError', message: `cannot reach ${new URL(where).origin} (${why}); is it up, and does it allow this page's origin (CORS)?`, action });
}

/**
 * @typedef {{ StoreInfos: { StoreUri: string, Auth: string }[], UploadHosts: string[], UploadHeader?: Record<string, string>,
 *   SessionKey: string, AdvanceOption?: { Parallel?: number, Stream?: number, SliceSize?: number } }} UploadAddress
 */

/**
 * ApplyUpload with the token's signed query: where and how to put the bytes.
 * @param {string} endpoint @param {UploadToken} token
 * @returns {Promise<UploadAddress>}
 */
export async function applyUpload(endpoint, token) {
  const result = await callSigned(endpoint, 'GET', token.ApplyUploadToken);
  const a = result.UploadAddress;
  if (!a?.StoreInfos?.[0]?.StoreUri || !a.UploadHosts?.[0] || !a.SessionKey) {
    throw new VodBrowserError({ code: 'InvalidResponse', message: 'ApplyUpload: no UploadAddress (StoreInfos, UploadHosts, SessionKey)', action: 'ApplyUpload' });
  }
  return a;
}

/**
 * CommitUpload with the token's signed query: turns the stored bytes into a video (Result.Results[0].Vid).
 * The body is not signed, so `Functions` (e.g. GetMeta, Snapshot) may be added.
 * @param {string} endpoint @param {UploadToken} token @param {string} sessionKey
 * @param {{ functions?: { Name: string, Input?: unknown }[], callbackArgs?: string }} [opts]
 */
export async function commitUpload(endpoint, token, sessionKey, opts = {}) {
  /** @type {Record<string, unknown>} */
  const body = { SessionKey: sessionKey };
  if (opts.callbackArgs !== undefined) body.CallbackArgs = opts.callbackArgs;
  if (opts.functions) body.Functions = opts.functions;
  return callSigned(endpoint, 'POST', token.CommitUploadToken, body);
}

/**
 * GetPlayInfo with the play token's signed query. Returns `Result.Data`.
 * @param {string} endpoint @param {PlayToken} token
 */
export async function getPlayInfo(endpoint, token) {
  const result = await callSigned(endpoint, 'GET', token.GetPlayInfoToken);
  return result.Data ?? {};
}

/**
 * The first play URL of GetPlayInfo's data (the highest bitrate when several), or throws when there is none.
 * @param {any} data
 * @returns {string}
 */
export function mainPlayUrl(data) {
  const list = Array.isArray(data?.PlayInfoList) ? [...data.PlayInfoList] : [];
  list.sort((a, b) => (b.Bitrate ?? 0) - (a.Bitrate ?? 0));
  const url = list.find((p) => p?.MainPlayUrl)?.MainPlayUrl;
  if (!url) throw new VodBrowserError({ code: 'NoPlayUrl', message: `video ${data?.VideoID ?? ''} has no playable stream yet (Status ${data?.Status ?? '?'})`, action: 'GetPlayInfo' });
  return url;
}

// ---------------------------------------------------------------------------------------------------------
// The upload host (protocol section 5)

/**
 * One upload-host request with XMLHttpRequest (fetch has no upload progress). Resolves to the reply's payload.
 * @param {{ method: 'PUT' | 'GET', url: string, headers: Record<string, string>, body?: Blob | string, action: string,
 *   onProgress?: (loaded: number) => void, signal?: AbortSignal }} r
 * @returns {Promise<Record<string, any>>}
 */
function hostRequest(r) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(r.method, r.url);
    for (const [k, v] of Object.entries(r.headers)) xhr.setRequestHeader(k, v);
    if (r.onProgress) xhr.upload.onprogress = (e) => r.onProgress?.(e.loaded);
    const abort = () => xhr.abort();
    r.signal?.addEventListener('abort', abort, { once: true });
    xhr.onerror = () => reject(networkError(r.action, r.url, new Error('network error')));
    xhr.onabort = () => reject(new VodBrowserError({ code: 'Aborted', message: 'upload cancelled', action: r.action }));
    xhr.onload = () => {
      r.signal?.removeEventListener('abort', abort);
      const logid = xhr.getResponseHeader('X-Tt-Logid') ?? '';
      let reply;
      try {
        reply = JSON.parse(xhr.responseText);
      } catch {
        reply = undefined;
      }
      if (xhr.status === 200 && reply?.success === 0) return resolve(reply.payload ?? {});
      const e = reply?.error ?? {};
      const code = typeof e.error === 'string' && e.error ? e.error : e.code !== undefined ? String(e.code) : 'HttpError';
      const message = typeof e.message === 'string' && e.message ? e.message : `HTTP ${xhr.status}: ${xhr.responseText.slice(0, 200)}`;
      reject(new VodBrowserError({ code, message, action: r.action, httpStatus: xhr.status, requestId: logid }));
    };
    xhr.send(r.body ?? null);
  });
}

/**
 * Puts a file's bytes where ApplyUpload said: one PUT up to `multipartThreshold`, else multipart in parts of
 * at least 5 MiB (AdvanceOption.SliceSize when larger), one part at a time. Progress counts bytes sent.
 * @param {string} endpoint the API endpoint; its scheme is the upload host's
 * @param {UploadAddress} address
 * @param {Blob} file
 * @param {{ onProgress?: (p: { phase: 'checksum' | 'upload', loaded: number, total: number }) => void,
 *   multipartThreshold?: number, partSize?: number, signal?: AbortSignal }} [opts]
 * @returns {Promise<{ mode: 'direct' | 'multipart', parts: number, crc32?: string }>}
 */
export async function putFile(endpoint, address, file, opts = {}) {
  const scheme = new URL(endpoint).protocol;
  const store = /** @type {{ StoreUri: string, Auth: string }} */ (address.StoreInfos[0]);
  const base = `${scheme}//${address.UploadHosts[0]}/${store.StoreUri}`;
  const auth = { ...(address.UploadHeader ?? {}), Authorization: store.Auth };
  const total = file.size;
  const progress = opts.onProgress ?? (() => undefined);

  if (total <= (opts.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD)) {
    const crc = await crc32OfBlob(file, { onProgress: (loaded) => progress({ phase: 'checksum', loaded, total }) });
    await hostRequest({
      method: 'PUT', url: base, action: 'PutObject', body: file, signal: opts.signal,
      headers: { ...auth, 'Content-CRC32': crc, 'Content-Type': 'application/octet-stream' },
      onProgress: (loaded) => progress({ phase: 'upload', loaded, total }),
    });
    progress({ phase: 'upload', loaded: total, total });
    return { mode: 'direct', parts: 1, crc32: crc };
  }

  const gateway = { ...auth, 'X-Storage-Mode': 'gateway' };
  let partSize = Math.max(MIN_PART_SIZE, opts.partSize ?? 0, address.AdvanceOption?.SliceSize ?? 0);
  if (Math.ceil(total / partSize) > MAX_PARTS) partSize = Math.ceil(total / MAX_PARTS);
  const init = await hostRequest({ method: 'PUT', url: `${base}?uploads`, action: 'InitMultipartUpload', headers: gateway, body: '', signal: opts.signal });
  const uploadId = String(init.uploadID ?? '');
  if (!uploadId) throw new VodBrowserError({ code: 'InvalidResponse', message: 'no payload.uploadID', action: 'InitMultipartUpload' });
  const id = encodeURIComponent(uploadId);
  /** @type {string[]} */
  const crcs = [];
  for (let n = 1, off = 0; off < total; n++, off += partSize) {
    const part = file.slice(off, Math.min(off + partSize, total));
    const crc = await crc32OfBlob(part);
    const payload = await hostRequest({
      method: 'PUT', url: `${base}?partNumber=${n}&uploadID=${id}`, action: 'UploadPart', body: part, signal: opts.signal,
      headers: { ...gateway, 'Content-CRC32': crc, 'Content-Type': 'application/octet-stream' },
      onProgress: (loaded) => progress({ phase: 'upload', loaded: off + loaded, total }),
    });
    if (typeof payload.crc32 === 'string' && parseInt(payload.crc32, 16) !== parseInt(crc, 16)) {
      throw new VodBrowserError({ code: 'CrcMismatch', message: `part ${n}: host stored ${payload.crc32}, sent ${crc}`, action: 'UploadPart' });
    }
    crcs.push(`${n}:${crc}`);
  }
  await hostRequest({
    method: 'PUT', url: `${base}?uploadID=${id}`, action: 'CompleteMultipartUpload', body: crcs.join(','), signal: opts.signal,
    headers: { ...gateway, 'Content-Type': 'text/plain' },
  });
  progress({ phase: 'upload', loaded: total, total });
  return { mode: 'multipart', parts: crcs.length };
}

// ---------------------------------------------------------------------------------------------------------
// The whole flows

/**
 * Uploads a file with an upload token: ApplyUpload, PUT (direct or multipart), CommitUpload.
 * @example
 *   const { vid } = await uploadWithToken({ endpoint: 'https://vod.bytedanceapi.com', token, file,
 *     onProgress: (p) => bar.value = p.loaded / p.total });
 * @param {{ endpoint: string, token: string | UploadToken, file: Blob,
 *   onProgress?: (p: { phase: 'checksum' | 'upload' | 'apply' | 'commit', loaded: number, total: number }) => void,
 *   functions?: { Name: string, Input?: unknown }[], callbackArgs?: string,
 *   multipartThreshold?: number, partSize?: number, signal?: AbortSignal }} opts
 * @returns {Promise<{ vid: string, posterUri: string, sessionKey: string, mode: 'direct' | 'multipart', parts: number, result: any }>}
 */
export async function uploadWithToken(opts) {
  const token = typeof opts.token === 'string' ? decodeUploadToken(opts.token) : opts.token;
  const total = opts.file.size;
  opts.onProgress?.({ phase: 'apply', loaded: 0, total });
  const address = await applyUpload(opts.endpoint, token);
  const put = await putFile(opts.endpoint, address, opts.file, opts);
  opts.onProgress?.({ phase: 'commit', loaded: total, total });
  const result = await commitUpload(opts.endpoint, token, address.SessionKey, { functions: opts.functions, callbackArgs: opts.callbackArgs });
  const first = result.Results?.[0];
  if (!first?.Vid) throw new VodBrowserError({ code: 'InvalidResponse', message: 'CommitUpload: no Results[0].Vid', action: 'CommitUpload' });
  return { vid: first.Vid, posterUri: first.PosterUri ?? '', sessionKey: address.SessionKey, mode: put.mode, parts: put.parts, result };
}

/**
 * GetPlayInfo with a play token and the URL to put in a `<video>`; retries while the video has no stream yet
 * (right after an upload), up to `waitMs`.
 * @param {{ endpoint: string, token: string | PlayToken, waitMs?: number, intervalMs?: number }} opts
 * @returns {Promise<{ url: string, data: any }>}
 */
export async function playWithToken(opts) {
  const token = typeof opts.token === 'string' ? decodePlayToken(opts.token) : opts.token;
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    const data = await getPlayInfo(opts.endpoint, token);
    try {
      return { url: mainPlayUrl(data), data };
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
    }
  }
}
