// Media in the browser: the server never sees content, so photos are downscaled, videos described and
// voice messages recorded here, with the browser's own canvas, <video> and MediaRecorder (no codecs of
// our own). Decrypted files live in their own IndexedDB database, so they survive a reload without
// being downloaded again. The C# side (Session/ChatSession.Media.cs) encrypts, uploads and decides.
const DB_NAME = 'parley-media';
const FILES = 'files';
const MAX_EDGE = 1600;
const JPEG_QUALITY = 0.8;
const THUMB_EDGE = 48;
const WAVEFORM_SAMPLES = 64;

const prepared = new Map(); // id -> { content: Uint8Array, thumbnail: Uint8Array }
const urls = new Map(); // media id -> object URL of the decrypted file
let opening;
let recording;
let nextId = 1;

// ---- preparing what the user picked ----

/** Reads the picked file of an <input type=file> and prepares it to send; returns (as JSON) what the composer shows. */
export async function prepareFile(input) {
  const file = input.files?.[0];
  input.value = '';
  if (!file) return null;
  const kind = kindOf(file);
  try {
    if (kind === 'image' && file.type !== 'image/gif') return await prepareImage(file);
    if (kind === 'video') return await prepareVideo(file);
  } catch (error) {
    console.warn('Sending the file as it is: the browser could not read it as ' + kind, error?.message);
  }
  return remember({ kind: kind === 'image' || kind === 'video' ? 'document' : kind, mime: file.type || 'application/octet-stream', name: file.name },
    new Uint8Array(await file.arrayBuffer()), new Uint8Array(0));
}

function kindOf(file) {
  const type = file.type || '';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'document';
}

/** Long edge at most 1600 px, JPEG at 0.8 (EXIF orientation applied), plus a small blurred thumbnail. */
async function prepareImage(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const { width, height } = fit(bitmap.width, bitmap.height, MAX_EDGE);
    const jpeg = await encode(bitmap, width, height, JPEG_QUALITY);
    const thumbnail = await blurredThumbnail(bitmap, bitmap.width, bitmap.height);
    const name = file.name.replace(/\.[^.]*$/, '') + '.jpg';
    return remember({ kind: 'image', mime: 'image/jpeg', name, width, height, previewUrl: URL.createObjectURL(jpeg) },
      new Uint8Array(await jpeg.arrayBuffer()), thumbnail);
  } finally {
    bitmap.close();
  }
}

/** Sent as it is (no transcoding); the poster frame and duration come from a <video> element. */
async function prepareVideo(file) {
  const source = URL.createObjectURL(file);
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.src = source;
  try {
    await event(video, 'loadeddata');
    video.currentTime = Math.min(0.1, (video.duration || 0) / 2);
    await event(video, 'seeked');
    const width = video.videoWidth;
    const height = video.videoHeight;
    const poster = fit(width, height, 480);
    const posterBlob = await encode(video, poster.width, poster.height, 0.7);
    return remember({ kind: 'video', mime: file.type, name: file.name, width, height, durationMs: Math.round(video.duration * 1000),
      previewUrl: URL.createObjectURL(posterBlob) }, new Uint8Array(await file.arrayBuffer()), await blurredThumbnail(video, width, height));
  } finally {
    video.removeAttribute('src');
    URL.revokeObjectURL(source);
  }
}

function remember(description, content, thumbnail) {
  const id = 'p' + nextId++;
  prepared.set(id, { content, thumbnail });
  // JSON text: the C# side reads it with source-generated (trim-safe) serialization.
  return JSON.stringify({ id, width: 0, height: 0, durationMs: 0, waveform: [], previewUrl: null, voice: false, ...description, size: content.length });
}

/** The prepared file's bytes (C# encrypts them). */
export function takeContent(id) {
  return prepared.get(id)?.content ?? new Uint8Array(0);
}

export function takeThumbnail(id) {
  return prepared.get(id)?.thumbnail ?? new Uint8Array(0);
}

export function discard(id, previewUrl) {
  prepared.delete(id);
  if (previewUrl) URL.revokeObjectURL(previewUrl);
}

function fit(width, height, edge) {
  const scale = Math.min(1, edge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function encode(source, width, height, quality, blur) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff'; // transparent PNG areas become white, not black, in a JPEG
  context.fillRect(0, 0, width, height);
  if (blur) context.filter = `blur(${blur}px)`;
  context.drawImage(source, 0, 0, width, height);
  return new Promise((resolve, reject) => canvas.toBlob(b => b ? resolve(b) : reject(new Error('The image could not be encoded.')), 'image/jpeg', quality));
}

/** A few hundred bytes: travels inside the encrypted message and shows until the file is downloaded. */
async function blurredThumbnail(source, width, height) {
  const size = fit(width, height, THUMB_EDGE);
  return new Uint8Array(await (await encode(source, size.width, size.height, 0.5, 1)).arrayBuffer());
}

function event(element, name, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(name + ' did not happen')), timeoutMs);
    element.addEventListener(name, () => { clearTimeout(timer); resolve(); }, { once: true });
    element.addEventListener('error', () => { clearTimeout(timer); reject(new Error('unreadable')); }, { once: true });
  });
}

// ---- voice messages ----

/** Starts recording from the microphone (the browser asks for permission the first time). */
export async function startRecording() {
  if (recording) return;
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const mimeType = ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus'].find(t => MediaRecorder.isTypeSupported(t));
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType, audioBitsPerSecond: 32000 } : undefined);
  const chunks = [];
  recorder.ondataavailable = e => { if (e.data.size > 0) chunks.push(e.data); };
  recorder.start(250);
  recording = { stream, recorder, chunks, started: performance.now() };
}

function stopTracks(r) {
  r.stream.getTracks().forEach(t => t.stop());
}

export function cancelRecording() {
  const r = recording;
  recording = null;
  if (!r) return;
  r.recorder.ondataavailable = null;
  if (r.recorder.state !== 'inactive') r.recorder.stop();
  stopTracks(r);
}

/** Ends the recording: Opus audio, its duration and a 64-bar waveform (decoded from the recording itself). */
export async function stopRecording() {
  const r = recording;
  recording = null;
  if (!r) return null;
  const stopped = new Promise(resolve => { r.recorder.onstop = resolve; });
  if (r.recorder.state !== 'inactive') r.recorder.stop();
  await stopped;
  stopTracks(r);
  const mime = (r.recorder.mimeType || 'audio/webm').split(';')[0];
  const blob = new Blob(r.chunks, { type: mime });
  const content = new Uint8Array(await blob.arrayBuffer());
  let durationMs = Math.round(performance.now() - r.started);
  let waveform = [];
  try {
    const audio = await new OfflineAudioContext(1, 1, 48000).decodeAudioData(content.slice().buffer);
    durationMs = Math.round(audio.duration * 1000) || durationMs;
    waveform = waveformOf(audio.getChannelData(0));
  } catch (error) {
    console.warn('No waveform for this recording', error?.message);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return remember({ kind: 'audio', mime, name: `voice-${stamp}.${mime.includes('ogg') ? 'ogg' : 'webm'}`, durationMs, waveform, voice: true },
    content, new Uint8Array(0));
}

/** Peak amplitude per slice, scaled so that the loudest slice is 255. */
function waveformOf(samples) {
  const peaks = [];
  const slice = Math.max(1, Math.floor(samples.length / WAVEFORM_SAMPLES));
  for (let start = 0; start + slice <= samples.length && peaks.length < WAVEFORM_SAMPLES; start += slice) {
    let peak = 0;
    for (let i = start; i < start + slice; i++) peak = Math.max(peak, Math.abs(samples[i]));
    peaks.push(peak);
  }
  const loudest = Math.max(...peaks, 1e-6);
  return peaks.map(p => Math.round((p / loudest) * 255));
}

// ---- decrypted files, kept across reloads ----

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(FILES);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

function run(mode, work) {
  return open().then(db => new Promise((resolve, reject) => {
    const transaction = db.transaction(FILES, mode);
    const request = work(transaction.objectStore(FILES));
    transaction.oncomplete = () => resolve(request?.result);
    transaction.onabort = transaction.onerror = () => reject(transaction.error);
  }));
}

/** Keeps a decrypted file (received, or sent from here) under its media id; returns a URL to show it. */
export async function storeFile(mediaId, bytes, mime) {
  const blob = new Blob([bytes], { type: mime || 'application/octet-stream' });
  await run('readwrite', store => store.put(blob, mediaId));
  return urlOf(mediaId, blob);
}

/** The URL of a kept file, or null when this browser does not have it. */
export async function fileUrl(mediaId) {
  if (urls.has(mediaId)) return urls.get(mediaId);
  const blob = await run('readonly', store => store.get(mediaId));
  return blob ? urlOf(mediaId, blob) : null;
}

function urlOf(mediaId, blob) {
  if (!urls.has(mediaId)) urls.set(mediaId, URL.createObjectURL(blob));
  return urls.get(mediaId);
}

/** "Save as": the browser downloads the kept file under the sender's name. */
export function saveFile(url, name) {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/** Sign out: the files go with the keys. */
export async function clearFiles() {
  urls.forEach(url => URL.revokeObjectURL(url));
  urls.clear();
  await run('readwrite', store => store.clear());
}

// ---- playing voice messages over their waveform ----

/** Play/pause on the button; the bars fill as the audio plays (no round trip to C# per frame). */
export function bindVoice(container, durationMs) {
  if (!container || container.dataset.bound) return;
  container.dataset.bound = '1';
  const audio = container.querySelector('audio');
  const button = container.querySelector('button.play');
  const bars = [...container.querySelectorAll('.bar')];
  const elapsed = container.querySelector('.voice-time');
  const total = Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : durationMs / 1000;
  const show = () => {
    const played = Math.min(1, audio.currentTime / (total || 1));
    bars.forEach((bar, i) => bar.classList.toggle('played', i < Math.round(played * bars.length)));
    if (elapsed) elapsed.textContent = clock(audio.paused && audio.currentTime === 0 ? total : audio.currentTime);
  };
  button.addEventListener('click', () => { if (audio.paused) audio.play(); else audio.pause(); });
  audio.addEventListener('play', () => { button.textContent = '⏸'; button.setAttribute('aria-label', 'Pause voice message'); });
  audio.addEventListener('pause', () => { button.textContent = '▶'; button.setAttribute('aria-label', 'Play voice message'); });
  audio.addEventListener('ended', () => { audio.currentTime = 0; show(); });
  audio.addEventListener('timeupdate', show);
}

function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// ---- settings kept in this browser only ----

export function loadSetting(name) {
  return localStorage.getItem('parley.' + name);
}

export function saveSetting(name, value) {
  localStorage.setItem('parley.' + name, value);
}
