// The demo page: API tokens -> vod-browser.js -> <video>. Tokens are shown decoded, never logged.
// @ts-check
import { decodePlayToken, decodeUploadToken, describeSignedQuery, playWithToken, uploadWithToken, VodBrowserError } from './vod-browser.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const input = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id));
const video = /** @type {HTMLVideoElement} */ ($('video'));
const poster = /** @type {HTMLImageElement} */ ($('poster'));
const bar = /** @type {HTMLProgressElement} */ ($('progress'));
/** How long the `<video>` may take to load its first frame before the page reports an error. */
const VIDEO_TIMEOUT_MS = 20_000;
/** Per call of the project's API (a token issue is one signing, no upstream call). */
const API_TIMEOUT_MS = 10_000;

/** Calls the project's HTTP API with the API key; returns the JSON body or throws its {error, message}. */
async function api(/** @type {string} */ method, /** @type {string} */ path, /** @type {unknown} */ body) {
  const base = input('api-base').value.replace(/\/+$/, '');
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', Authorization: `Bearer ${input('api-key').value}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res, text;
  try {
    res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(API_TIMEOUT_MS) });
    text = await res.text();
  } catch (err) {
    const e = /** @type {Error} */ (err);
    if (e.name === 'TimeoutError') throw new Error(`${method} ${path}: no answer from the API at ${base} within ${API_TIMEOUT_MS / 1000} s`);
    throw new Error(`${method} ${path}: cannot reach the API at ${base} (${e.message}); is \`npm start\` running?`);
  }
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  if (!res.ok) {
    const why = json?.message ?? json?.error ?? text.slice(0, 200);
    throw new Error(`${method} ${path}: HTTP ${res.status} ${json?.error ?? ''}: ${why}${json?.requestId ? ` (request ${json.requestId})` : ''}`);
  }
  return json;
}

function step(/** @type {string} */ text) {
  const li = document.createElement('li');
  li.textContent = text;
  $('steps').append(li);
  return { done: (/** @type {string} */ extra = '') => { li.classList.add('done'); li.textContent = `${text} ✓ ${extra}`.trim(); } };
}

function showProgress(/** @type {string} */ label, /** @type {number} */ loaded, /** @type {number} */ total) {
  bar.value = total > 0 ? loaded / total : 1;
  $('progress-text').textContent = `${label} ${Math.round(bar.value * 100)}% (${loaded.toLocaleString()} / ${total.toLocaleString()} bytes)`;
}

const when = (/** @type {Date | null} */ d) => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '?');

function showToken(/** @type {string} */ name, /** @type {string} */ signedQuery) {
  const d = describeSignedQuery(signedQuery);
  const row = document.createElement('tr');
  const cells = [name, `${d.action} (${d.version})`, Object.entries(d.params).map(([k, v]) => `${k}=${v}`).join(' '),
    d.accessKeyId, when(d.signedAt), when(d.expiresAt)];
  for (const text of cells) row.append(Object.assign(document.createElement('td'), { textContent: text }));
  $('tokens').querySelector('tbody')?.append(row);
}

function fact(/** @type {string} */ name, /** @type {string} */ value) {
  $('video-facts').append(Object.assign(document.createElement('dt'), { textContent: name }), Object.assign(document.createElement('dd'), { textContent: value }));
}

function showError(/** @type {unknown} */ err) {
  const box = $('error');
  box.hidden = false;
  if (err instanceof VodBrowserError) {
    box.textContent = `VOD error ${err.code} in ${err.action}${err.httpStatus ? ` (HTTP ${err.httpStatus})` : ''}: ${err.serviceMessage}` +
      (err.requestId ? `\nRequestId ${err.requestId}` : '');
  } else box.textContent = err instanceof Error ? err.message : String(err);
  document.body.dataset.state = 'error';
}

async function run() {
  const file = input('file').files?.[0];
  if (!file) throw new Error('choose a video file first');
  const endpoint = input('vod-endpoint').value.replace(/\/+$/, '');
  const space = input('space').value.trim();

  let s = step('POST /tokens/upload');
  const up = await api('POST', '/tokens/upload', space ? { space } : {});
  const uploadToken = decodeUploadToken(up.token);
  showToken('upload: ApplyUploadToken', uploadToken.ApplyUploadToken);
  showToken('upload: CommitUploadToken', uploadToken.CommitUploadToken);
  s.done(`space ${up.space ?? ''}, expires in ${up.expiresIn ?? '?'} s`);

  s = step(`upload ${file.name} (${file.size.toLocaleString()} bytes): ApplyUpload, PUT, CommitUpload`);
  const uploaded = await uploadWithToken({
    endpoint, token: uploadToken, file,
    functions: [{ Name: 'GetMeta' }, { Name: 'Snapshot', Input: { SnapshotTime: 0 } }],
    onProgress: (p) => showProgress(p.phase, p.loaded, p.total),
  });
  showProgress('uploaded', file.size, file.size);
  s.done(`${uploaded.mode}${uploaded.mode === 'multipart' ? `, ${uploaded.parts} parts` : ''} -> Vid ${uploaded.vid}`);
  fact('Vid', uploaded.vid);
  const meta = uploaded.result.Results?.[0]?.VideoMeta;
  if (meta) fact('VideoMeta', `${meta.Width}x${meta.Height}, ${meta.Duration} s, ${meta.Format}, ${meta.Size} bytes`);

  s = step('POST /tokens/play');
  const pt = await api('POST', '/tokens/play', { vid: uploaded.vid });
  const playToken = decodePlayToken(pt.token);
  showToken('play: GetPlayInfoToken', playToken.GetPlayInfoToken);
  s.done(`expires in ${pt.expiresIn ?? '?'} s`);

  if (uploaded.posterUri) {
    s = step('GET /posters');
    const https = endpoint.startsWith('https:'); // the local emulator serves posters over plain http
    const p = await api('GET', `/posters?uri=${encodeURIComponent(uploaded.posterUri)}&template=tplv-vod-rs&width=160&height=90&https=${https}`, undefined);
    poster.src = p.mainUrl;
    poster.hidden = false;
    video.poster = poster.src;
    fact('poster URL', poster.src);
    s.done();
  }

  s = step('GetPlayInfo with the play token');
  const play = await playWithToken({ endpoint, token: playToken, waitMs: 10_000 });
  const info = play.data.PlayInfoList?.[0];
  s.done(`${play.data.TotalCount ?? '?'} stream(s), ${info?.Definition ?? ''} ${info?.Width ?? ''}x${info?.Height ?? ''}`);
  fact('MainPlayUrl', play.url);

  s = step('play in <video>');
  video.src = play.url;
  const settled = new AbortController();
  let timer;
  try {
    await new Promise((resolve, reject) => {
      video.addEventListener('loadeddata', resolve, { signal: settled.signal });
      video.addEventListener('error', () => reject(new Error(`the browser cannot play this video (MediaError ${video.error?.code}: ${video.error?.message ?? ''})`)), { signal: settled.signal });
      timer = setTimeout(() => {
        resetVideo(); // stops the download too
        reject(new Error(`the video did not load within ${VIDEO_TIMEOUT_MS / 1000} s; is the play URL reachable from this browser?`));
      }, VIDEO_TIMEOUT_MS);
    });
  } finally {
    clearTimeout(timer);
    settled.abort();
  }
  s.done(`${video.videoWidth}x${video.videoHeight}, ${video.duration.toFixed(2)} s`);
  video.play().catch(() => undefined); // autoplay may be refused; the controls remain
  document.body.dataset.state = 'playing';
}

/** Empties the player: removing `src` alone leaves the old video loaded and showing (the media element keeps it until load()). */
function resetVideo() {
  video.removeAttribute('src');
  video.removeAttribute('poster');
  video.load();
}

$('form').addEventListener('submit', (e) => {
  e.preventDefault();
  const button = /** @type {HTMLButtonElement} */ ($('start'));
  button.disabled = true;
  $('error').hidden = true;
  $('steps').replaceChildren();
  $('video-facts').replaceChildren();
  $('tokens').querySelector('tbody')?.replaceChildren();
  poster.hidden = true;
  poster.removeAttribute('src');
  resetVideo();
  bar.value = 0;
  $('progress-text').textContent = 'idle';
  document.body.dataset.state = 'running';
  run().catch(showError).finally(() => { button.disabled = false; });
});
