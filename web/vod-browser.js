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
// Tokens and the upload Auth are credentials: this module never logs them and keeps them out of error messages
// (also when a server echoes the request). Every request has a timeout; idempotent ones (ApplyUpload, GetPlayInfo,
// upload-host PUTs) are retried on 429, 5xx and no answer, CommitUpload on 429 only; an AbortSignal stops it all.
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
 * (`{success, error}`), a network failure (`NetworkError`), no answer in time (`RequestTimeout`) or a malformed
 * token. `code` is the service's code when it sent one. A cancelled call rejects with its signal's reason instead.
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
 * @param {{ chunkSize?: number, onProgress?: (done: number, total: number) => void, signal?: AbortSignal }} [opts]
 * @returns {Promise<string>} 8 lowercase hex digits
 */
export async function crc32OfBlob(blob, opts = {}) {
  const chunk = opts.chunkSize ?? CRC_CHUNK;
  let crc = 0;
  for (let off = 0; off < blob.size; off += chunk) {
    opts.signal?.throwIfAborted();
    crc = crc32(new Uint8Array(await blob.slice(off, off + chunk).arrayBuffer()), crc);
    opts.onProgress?.(Math.min(off + chunk, blob.size), blob.size);
  }
  opts.signal?.throwIfAborted();
  return crc32Hex(crc);
}

// ---------------------------------------------------------------------------------------------------------
// Transport: cancelling, timeouts, retries (the rules of lib/vod/request.ts, for the browser)

/** Per API request (protocol section 1). */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Per upload-host request (a part or a direct PUT of up to 20 MiB, with its upload time). */
export const DEFAULT_PART_TIMEOUT_MS = 120_000;
/** Retries after the first attempt of a retryable failure. */
export const DEFAULT_RETRIES = 3;
const BACKOFF_BASE_MS = 200;
const BACKOFF_MAX_MS = 5000;

/**
 * How requests are sent: `signal` cancels (the promise rejects with its reason, and nothing is sent after it);
 * `timeoutMs` bounds each API request, `partTimeoutMs` each upload-host request; `retries` after the first attempt.
 * @typedef {{ signal?: AbortSignal, timeoutMs?: number, partTimeoutMs?: number, retries?: number }} Transport
 */

/**
 * Whether a failed attempt may be sent again. Idempotent requests: 429, 5xx, no answer (network error, timeout).
 * Others (CommitUpload) only on 429, a throttled request that was not processed: a browser cannot tell a
 * connection never opened from one lost after the request went out, so a network error or timeout is final.
 * @param {boolean} idempotent
 */
const retryable = (idempotent) => (/** @type {unknown} */ err) => err instanceof VodBrowserError &&
  (err.httpStatus === 429 || (idempotent && (err.httpStatus >= 500 || err.code === 'NetworkError' || err.code === 'RequestTimeout')));

/**
 * Runs `attempt` until it succeeds, fails for good, or the retries are spent, with full-jitter backoff between
 * attempts. Checks the signal before every attempt and while waiting.
 * @template T
 * @param {() => Promise<T>} attempt @param {(err: unknown) => boolean} canRetry @param {Transport} t
 * @returns {Promise<T>}
 */
async function withRetry(attempt, canRetry, t) {
  for (let n = 0; ; n++) {
    t.signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (err) {
      if (n >= (t.retries ?? DEFAULT_RETRIES) || t.signal?.aborted || !canRetry(err)) throw err;
      await sleep(Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** n), t.signal);
    }
  }
}

/** @param {number} ms @param {AbortSignal} [signal] @returns {Promise<void>} */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const stop = () => { clearTimeout(timer); reject(signal?.reason); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', stop); resolve(); }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Replaces the values of signing parameters and the given secrets (the upload Auth) in text that came back from a
 * server, which may echo the request (a misconfigured endpoint or proxy), before it goes into an error message.
 * @param {string} text @param {string[]} [secrets]
 */
function redact(text, secrets = []) {
  let out = text.replace(/(X-Amz-(?:Signature|Credential|Security-Token)(?:=|%3D))[^&\s"'<>]*/gi, '$1[REDACTED]');
  for (const secret of secrets) {
    if (secret.length >= 4) for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('[REDACTED]');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The VOD API (signed query strings from the tokens)

/**
 * One API call with a signed query; returns `Result`, or throws the envelope's Error as a VodBrowserError.
 * Each attempt has `timeoutMs` (default 5 s) for the whole exchange; `idempotent` calls are retried on 429, 5xx,
 * network errors and timeouts, the others on 429 only.
 * @param {string} endpoint e.g. 'https://vod.bytedanceapi.com' or 'http://127.0.0.1:4100'
 * @param {'GET' | 'POST'} method
 * @param {string} signedQuery
 * @param {unknown} [body] JSON body (POST)
 * @param {Transport & { idempotent?: boolean }} [t] `idempotent` defaults to true for GET, false for POST
 * @returns {Promise<any>}
 */
export async function callSigned(endpoint, method, signedQuery, body, t = {}) {
  const action = new URLSearchParams(signedQuery).get('Action') ?? 'Request';
  const url = `${endpoint.replace(/\/+$/, '')}/?${signedQuery}`;
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
  const once = async () => {
    const { status, text } = await fetchText(url, init, action, t.timeoutMs ?? DEFAULT_TIMEOUT_MS, t.signal);
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new VodBrowserError({ code: 'InvalidResponse', message: `HTTP ${status}, not JSON: ${redact(text).slice(0, 200)}`, action, httpStatus: status });
    }
    const meta = json?.ResponseMetadata;
    const err = meta?.Error;
    if (err && (err.Code || err.Message)) {
      throw new VodBrowserError({ code: String(err.Code ?? 'Error'), message: redact(String(err.Message ?? '')), action, httpStatus: status, requestId: meta?.RequestId });
    }
    if (status < 200 || status > 299) throw new VodBrowserError({ code: 'HttpError', message: `HTTP ${status}: ${redact(text).slice(0, 200)}`, action, httpStatus: status, requestId: meta?.RequestId });
    return json.Result ?? {};
  };
  return withRetry(once, retryable(t.idempotent ?? method === 'GET'), t);
}

/**
 * One fetch read to its end within `timeoutMs`; rejects with the signal's reason when it aborts.
 * @param {string} url @param {RequestInit} init @param {string} action @param {number} timeoutMs @param {AbortSignal} [signal]
 * @returns {Promise<{ status: number, text: string }>}
 */
async function fetchText(url, init, action, timeoutMs, signal) {
  signal?.throwIfAborted();
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ctrl.abort(timeoutError(action, url, timeoutMs)), timeoutMs);
  try {
    const res = await fetch(url, { ...init, signal: ctrl.signal });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    throw ctrl.signal.aborted ? ctrl.signal.reason : networkError(action, url, err);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** @param {string} action @param {string} where @param {unknown} err */
function networkError(action, where, err) {
  const why = err instanceof Error ? err.message : String(err);
  return new VodBrowserError({ code: 'NetworkError', message: `cannot reach ${new URL(where).origin} (${why}); is it up, and does it allow this page's origin (CORS)?`, action });
}

/** @param {string} action @param {string} where @param {number} ms */
function timeoutError(action, where, ms) {
  return new VodBrowserError({ code: 'RequestTimeout', message: `no answer from ${new URL(where).origin} within ${ms} ms`, action });
}

/**
 * @typedef {{ StoreInfos: { StoreUri: string, Auth: string }[], UploadHosts: string[], UploadHeader?: Record<string, string>,
 *   SessionKey: string, AdvanceOption?: { Parallel?: number, Stream?: number, SliceSize?: number } }} UploadAddress
 */

/**
 * ApplyUpload with the token's signed query: where and how to put the bytes.
 * @param {string} endpoint @param {UploadToken} token @param {Transport} [t]
 * @returns {Promise<UploadAddress>}
 */
export async function applyUpload(endpoint, token, t = {}) {
  const result = await callSigned(endpoint, 'GET', token.ApplyUploadToken, undefined, t);
  const a = result.UploadAddress;
  if (!a?.StoreInfos?.[0]?.StoreUri || !a.UploadHosts?.[0] || !a.SessionKey) {
    throw new VodBrowserError({ code: 'InvalidResponse', message: 'ApplyUpload: no UploadAddress (StoreInfos, UploadHosts, SessionKey)', action: 'ApplyUpload' });
  }
  return a;
}

/**
 * CommitUpload with the token's signed query: turns the stored bytes into a video (Result.Results[0].Vid).
 * The body is not signed, so `Functions` (e.g. GetMeta, Snapshot) may be added. Not idempotent (a repeat may
 * make a second video): retried only on 429.
 * @param {string} endpoint @param {UploadToken} token @param {string} sessionKey
 * @param {{ functions?: { Name: string, Input?: unknown }[], callbackArgs?: string } & Transport} [opts]
 */
export async function commitUpload(endpoint, token, sessionKey, opts = {}) {
  /** @type {Record<string, unknown>} */
  const body = { SessionKey: sessionKey };
  if (opts.callbackArgs !== undefined) body.CallbackArgs = opts.callbackArgs;
  if (opts.functions) body.Functions = opts.functions;
  return callSigned(endpoint, 'POST', token.CommitUploadToken, body, { ...opts, idempotent: false });
}

/**
 * GetPlayInfo with the play token's signed query. Returns `Result.Data`.
 * @param {string} endpoint @param {PlayToken} token @param {Transport} [t]
 */
export async function getPlayInfo(endpoint, token, t = {}) {
  const result = await callSigned(endpoint, 'GET', token.GetPlayInfoToken, undefined, t);
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
 * Rejects with the signal's reason when it aborts, with RequestTimeout after `timeoutMs`.
 * @param {{ method: 'PUT' | 'GET', url: string, headers: Record<string, string>, body?: Blob | string, action: string,
 *   onProgress?: (loaded: number) => void, signal?: AbortSignal, timeoutMs: number }} r
 * @returns {Promise<Record<string, any>>}
 */
function hostRequest(r) {
  r.signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(r.method, r.url);
    xhr.timeout = r.timeoutMs;
    for (const [k, v] of Object.entries(r.headers)) xhr.setRequestHeader(k, v);
    if (r.onProgress) xhr.upload.onprogress = (e) => r.onProgress?.(e.loaded);
    const abort = () => xhr.abort();
    r.signal?.addEventListener('abort', abort, { once: true });
    xhr.onloadend = () => r.signal?.removeEventListener('abort', abort);
    xhr.onerror = () => reject(networkError(r.action, r.url, new Error('network error')));
    xhr.ontimeout = () => reject(timeoutError(r.action, r.url, r.timeoutMs));
    xhr.onabort = () => reject(r.signal?.reason);
    xhr.onload = () => {
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
      const secrets = [r.headers.Authorization ?? ''];
      const message = typeof e.message === 'string' && e.message ? e.message : `HTTP ${xhr.status}: ${redact(xhr.responseText, secrets).slice(0, 200)}`;
      reject(new VodBrowserError({ code, message: redact(message, secrets), action: r.action, httpStatus: xhr.status, requestId: logid }));
    };
    xhr.send(r.body ?? null);
  });
}

/**
 * An upload-host request with retries (lib/vod/multipart.ts's rules): a PUT of a part or an object carries the
 * same bytes, so any attempt may be repeated on 429, 5xx or no answer. `afterMaybeDone(err)` is asked about a
 * failure that follows an attempt which may have been processed (no answer, or a 5xx): true makes it a success.
 * @param {Parameters<typeof hostRequest>[0]} r @param {Transport} t @param {(err: VodBrowserError) => boolean} [afterMaybeDone]
 */
function hostCall(r, t, afterMaybeDone) {
  let maybeDone = false;
  return withRetry(async () => {
    try {
      return await hostRequest(r);
    } catch (err) {
      if (!(err instanceof VodBrowserError)) throw err;
      if (maybeDone && afterMaybeDone?.(err)) return {};
      if (err.httpStatus === 0 || err.httpStatus >= 500) maybeDone = true;
      throw err;
    }
  }, retryable(true), t);
}

/**
 * Puts a file's bytes where ApplyUpload said: one PUT up to `multipartThreshold`, else multipart in parts of
 * at least 5 MiB (AdvanceOption.SliceSize when larger), one part at a time. Progress counts bytes sent. Each
 * upload-host request is retried (see {@link Transport}); an abort stops it before the next step.
 * @param {string} endpoint the API endpoint; its scheme is the upload host's
 * @param {UploadAddress} address
 * @param {Blob} file
 * @param {{ onProgress?: (p: { phase: 'checksum' | 'upload', loaded: number, total: number }) => void,
 *   multipartThreshold?: number, partSize?: number } & Transport} [opts]
 * @returns {Promise<{ mode: 'direct' | 'multipart', parts: number, crc32?: string }>}
 */
export async function putFile(endpoint, address, file, opts = {}) {
  const scheme = new URL(endpoint).protocol;
  const store = /** @type {{ StoreUri: string, Auth: string }} */ (address.StoreInfos[0]);
  const base = `${scheme}//${address.UploadHosts[0]}/${store.StoreUri}`;
  const auth = { ...(address.UploadHeader ?? {}), Authorization: store.Auth };
  const total = file.size;
  const progress = opts.onProgress ?? (() => undefined);
  const { signal } = opts;
  const timeoutMs = opts.partTimeoutMs ?? DEFAULT_PART_TIMEOUT_MS;

  if (total <= (opts.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD)) {
    const crc = await crc32OfBlob(file, { signal, onProgress: (loaded) => progress({ phase: 'checksum', loaded, total }) });
    await hostCall({
      method: 'PUT', url: base, action: 'PutObject', body: file, signal, timeoutMs,
      headers: { ...auth, 'Content-CRC32': crc, 'Content-Type': 'application/octet-stream' },
      onProgress: (loaded) => progress({ phase: 'upload', loaded, total }),
    }, opts);
    progress({ phase: 'upload', loaded: total, total });
    return { mode: 'direct', parts: 1, crc32: crc };
  }

  const gateway = { ...auth, 'X-Storage-Mode': 'gateway' };
  let partSize = Math.max(MIN_PART_SIZE, opts.partSize ?? 0, address.AdvanceOption?.SliceSize ?? 0);
  if (Math.ceil(total / partSize) > MAX_PARTS) partSize = Math.ceil(total / MAX_PARTS);
  const init = await hostCall({ method: 'PUT', url: `${base}?uploads`, action: 'InitMultipartUpload', headers: gateway, body: '', signal, timeoutMs }, opts);
  const uploadId = String(init.uploadID ?? '');
  if (!uploadId) throw new VodBrowserError({ code: 'InvalidResponse', message: 'no payload.uploadID', action: 'InitMultipartUpload' });
  const id = encodeURIComponent(uploadId);
  /** @type {string[]} */
  const crcs = [];
  for (let n = 1, off = 0; off < total; n++, off += partSize) {
    const part = file.slice(off, Math.min(off + partSize, total));
    const crc = await crc32OfBlob(part, { signal });
    const payload = await hostCall({
      method: 'PUT', url: `${base}?partNumber=${n}&uploadID=${id}`, action: 'UploadPart', body: part, signal, timeoutMs,
      headers: { ...gateway, 'Content-CRC32': crc, 'Content-Type': 'application/octet-stream' },
      onProgress: (loaded) => progress({ phase: 'upload', loaded: off + loaded, total }),
    }, opts);
    if (typeof payload.crc32 === 'string' && parseInt(payload.crc32, 16) !== parseInt(crc, 16)) {
      throw new VodBrowserError({ code: 'CrcMismatch', message: `part ${n}: host stored ${payload.crc32}, sent ${crc}`, action: 'UploadPart' });
    }
    crcs.push(`${n}:${crc}`);
  }
  // Completing is not repeatable: it consumes the upload id, and a repeat gets 404 NoSuchUpload. So that counts as
  // completed only on a retry after an attempt that may have been processed (lib/vod/multipart.ts completeMultipart).
  await hostCall({
    method: 'PUT', url: `${base}?uploadID=${id}`, action: 'CompleteMultipartUpload', body: crcs.join(','), signal, timeoutMs,
    headers: { ...gateway, 'Content-Type': 'text/plain' },
  }, opts, (err) => err.httpStatus === 404 && err.code === 'NoSuchUpload');
  progress({ phase: 'upload', loaded: total, total });
  return { mode: 'multipart', parts: crcs.length };
}

// ---------------------------------------------------------------------------------------------------------
// The whole flows

/**
 * Uploads a file with an upload token: ApplyUpload, PUT (direct or multipart), CommitUpload. Aborting `signal`
 * rejects with its reason and sends nothing more (no CommitUpload after an abort).
 * @example
 *   const { vid } = await uploadWithToken({ endpoint: 'https://vod.bytedanceapi.com', token, file,
 *     onProgress: (p) => bar.value = p.loaded / p.total });
 * @param {{ endpoint: string, token: string | UploadToken, file: Blob,
 *   onProgress?: (p: { phase: 'checksum' | 'upload' | 'apply' | 'commit', loaded: number, total: number }) => void,
 *   functions?: { Name: string, Input?: unknown }[], callbackArgs?: string,
 *   multipartThreshold?: number, partSize?: number } & Transport} opts
 * @returns {Promise<{ vid: string, posterUri: string, sessionKey: string, mode: 'direct' | 'multipart', parts: number, result: any }>}
 */
export async function uploadWithToken(opts) {
  const token = typeof opts.token === 'string' ? decodeUploadToken(opts.token) : opts.token;
  const total = opts.file.size;
  opts.onProgress?.({ phase: 'apply', loaded: 0, total });
  const address = await applyUpload(opts.endpoint, token, opts);
  const put = await putFile(opts.endpoint, address, opts.file, opts);
  opts.onProgress?.({ phase: 'commit', loaded: total, total });
  const result = await commitUpload(opts.endpoint, token, address.SessionKey, opts);
  const first = result.Results?.[0];
  if (!first?.Vid) throw new VodBrowserError({ code: 'InvalidResponse', message: 'CommitUpload: no Results[0].Vid', action: 'CommitUpload' });
  return { vid: first.Vid, posterUri: first.PosterUri ?? '', sessionKey: address.SessionKey, mode: put.mode, parts: put.parts, result };
}

/**
 * GetPlayInfo with a play token and the URL to put in a `<video>`; retries while the video has no stream yet
 * (right after an upload), up to `waitMs`.
 * @param {{ endpoint: string, token: string | PlayToken, waitMs?: number, intervalMs?: number } & Transport} opts
 * @returns {Promise<{ url: string, data: any }>}
 */
export async function playWithToken(opts) {
  const token = typeof opts.token === 'string' ? decodePlayToken(opts.token) : opts.token;
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    const data = await getPlayInfo(opts.endpoint, token, opts);
    try {
      return { url: mainPlayUrl(data), data };
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await sleep(opts.intervalMs ?? 500, opts.signal);
    }
  }
}
