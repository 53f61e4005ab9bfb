// WebRTC for the web client's calls: the camera and microphone, one RTCPeerConnection per other
// participant (a 1:1 call has one, a group call a mesh of up to 7), device selection and quality
// adaptation. Signaling is not here: offers, answers and ICE candidates go through the C# session
// (Session/ChatSession.Calls.cs), end-to-end encrypted by the SDK.

const peers = new Map(); // peer key (the other participant's number) -> Peer
const pendingCandidates = new Map(); // candidates that arrived before their peer connection had a remote description
let session = null; // DotNetObjectReference to the ChatSession
let local = null; // MediaStream from the camera and microphone
let sinkId = '';
let qualityTimer = 0;

// Quality steps, best first: when getStats shows loss or little bandwidth the sender steps down
// (fewer pixels, fewer bits), when it has recovered for a while it steps back up. This comes on top
// of WebRTC's own congestion control, which adapts the bitrate but keeps the resolution.
const LEVELS = [
  { scale: 1, maxBitrate: 1_500_000, label: 'good' },
  { scale: 2, maxBitrate: 500_000, label: 'reduced' },
  { scale: 4, maxBitrate: 150_000, label: 'low' },
];
const STEP_DOWN_LOSS = 0.08; // fraction of packets the other side reports lost
const STEP_UP_LOSS = 0.02;
const SAMPLES_TO_STEP_UP = 3; // good samples in a row (2 s apart) before quality goes back up

(function addStyles() {
  if (document.querySelector('link[data-calls]')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = 'css/calls.css';
  link.dataset.calls = '';
  document.head.append(link);
})();

export function init(dotNetSession) {
  session = dotNetSession;
}

/** Notes when a step of call setup happened (window.parleyMetrics, for the measured call setup time). */
export function mark(name) {
  window.parleyMetrics ??= {};
  window.parleyMetrics[name] = Date.now();
}

/**
 * Opens the microphone (and the camera for a video call); false when the user or the browser
 * refused. A caller's connection may already exist (it rings while the camera opens): the tracks
 * then go into its senders, no renegotiation needed.
 */
export async function openMedia(video) {
  if (local) return true;
  try {
    local = await navigator.mediaDevices.getUserMedia({ audio: true, video: video ? { width: 1280, height: 720 } : false });
    mark('mediaOpenAt');
    for (const peer of peers.values()) await useLocalTracks(peer);
    attach();
    return true;
  } catch (error) {
    console.warn('Parley calls: no access to camera/microphone', error.name);
    return false;
  }
}

/**
 * Caller side (and group participants already in the call): a new connection and its offer; null
 * when the connection was replaced meanwhile (the other side's own offer won and was answered).
 */
export async function createOffer(key, iceServersJson, relayOnly, video) {
  const peer = newPeer(key, JSON.parse(iceServersJson), relayOnly, video);
  try {
    const offer = await peer.pc.createOffer();
    await peer.pc.setLocalDescription(offer);
  } catch (error) {
    if (peers.get(key) !== peer) return null;
    throw error;
  }
  return peers.get(key) === peer ? peer.pc.localDescription.sdp : null;
}

/** Callee side: a new connection from the other side's offer; returns the answer. */
export async function acceptOffer(key, iceServersJson, relayOnly, offerSdp) {
  const peer = newPeer(key, JSON.parse(iceServersJson), relayOnly);
  await peer.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
  await applyPendingCandidates(key);
  const answer = await peer.pc.createAnswer();
  await peer.pc.setLocalDescription(answer);
  return peer.pc.localDescription.sdp;
}

export async function applyAnswer(key, answerSdp) {
  const peer = peers.get(key);
  if (!peer || peer.pc.signalingState !== 'have-local-offer') return;
  await peer.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  await applyPendingCandidates(key);
}

/** The other side's ICE candidates ([{candidate, sdpMid, sdpMLineIndex}]); kept until the connection can take them. */
export async function addCandidates(key, candidatesJson) {
  const list = pendingCandidates.get(key) ?? [];
  list.push(...JSON.parse(candidatesJson));
  pendingCandidates.set(key, list);
  await applyPendingCandidates(key);
}

export function closePeer(key) {
  const peer = peers.get(key);
  pendingCandidates.delete(key);
  if (!peer) return;
  peers.delete(key);
  clearTimeout(peer.flushTimer);
  peer.pc.close();
}

/** Ends everything: connections, camera, microphone. */
export function closeAll() {
  for (const key of [...peers.keys()]) closePeer(key);
  pendingCandidates.clear();
  local?.getTracks().forEach(track => track.stop());
  local = null;
  clearInterval(qualityTimer);
  qualityTimer = 0;
}

export function setMuted(muted) {
  local?.getAudioTracks().forEach(track => { track.enabled = !muted; });
}

/** Camera off sends black frames at almost no bitrate (the track stays, so turning it back on needs no renegotiation). */
export function setCameraOff(off) {
  local?.getVideoTracks().forEach(track => { track.enabled = !off; });
}

/** Microphones, cameras and speakers, for the device pickers. */
export async function listDevicesJson() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  const current = {
    audioinput: local?.getAudioTracks()[0]?.getSettings().deviceId ?? '',
    videoinput: local?.getVideoTracks()[0]?.getSettings().deviceId ?? '',
    audiooutput: sinkId,
  };
  return JSON.stringify(devices.filter(d => d.deviceId).map((d, i) => ({
    kind: d.kind,
    id: d.deviceId,
    label: d.label || `${d.kind} ${i + 1}`,
    selected: d.deviceId === current[d.kind],
  })));
}

/** Switches the microphone or camera (replaceTrack: no renegotiation) or the speaker (setSinkId). */
export async function useDevice(kind, deviceId) {
  if (kind === 'audiooutput') {
    sinkId = deviceId;
    await Promise.all([...document.querySelectorAll('.call-screen video.remote')]
      .filter(element => typeof element.setSinkId === 'function')
      .map(element => element.setSinkId(deviceId)));
    return;
  }
  if (!local) return;
  const audio = kind === 'audioinput';
  const fresh = await navigator.mediaDevices.getUserMedia(audio
    ? { audio: { deviceId: { exact: deviceId } } }
    : { video: { deviceId: { exact: deviceId }, width: 1280, height: 720 } });
  const track = audio ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0];
  const old = audio ? local.getAudioTracks()[0] : local.getVideoTracks()[0];
  if (old) {
    track.enabled = old.enabled; // keep muted / camera off as they were
    local.removeTrack(old);
    old.stop();
  }
  local.addTrack(track);
  for (const peer of peers.values()) {
    await (audio ? peer.audioSender : peer.videoSender)?.replaceTrack(track);
  }
  attach();
}

/** Puts the streams into the call screen's video elements (called after every render of the screen). */
export function attach() {
  const mine = document.querySelector('.call-screen video.local');
  if (mine && local && mine.srcObject !== local) mine.srcObject = local;
  for (const element of document.querySelectorAll('.call-screen video.remote')) {
    const peer = peers.get(element.dataset.peer);
    if (peer && element.srcObject !== peer.stream) {
      element.srcObject = peer.stream;
      if (sinkId && typeof element.setSinkId === 'function') element.setSinkId(sinkId).catch(() => {});
    }
  }
}

/** What the connections carry, per peer: bytes received per kind, frames decoded, the selected candidate pair, the quality step. */
export async function stats() {
  const result = [];
  for (const [key, peer] of peers) {
    const report = await peer.pc.getStats();
    const entry = { peer: key, state: peer.pc.connectionState, audioBytesReceived: 0, videoBytesReceived: 0, framesDecoded: 0,
      localCandidateType: null, remoteCandidateType: null, quality: LEVELS[peer.level].label };
    let pair = null;
    report.forEach(s => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') entry.audioBytesReceived += s.bytesReceived ?? 0;
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        entry.videoBytesReceived += s.bytesReceived ?? 0;
        entry.framesDecoded += s.framesDecoded ?? 0;
      }
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    });
    if (pair) {
      entry.localCandidateType = report.get(pair.localCandidateId)?.candidateType ?? null;
      entry.remoteCandidateType = report.get(pair.remoteCandidateId)?.candidateType ?? null;
    }
    result.push(entry);
  }
  return result;
}

// For tests and for "what is my call doing" in the developer console: numbers only, no SDP or addresses.
window.parleyCalls = { stats };

function newPeer(key, iceServers, relayOnly, video) {
  const old = peers.get(key);
  if (old) {
    // Replaced (e.g. a group participant who rejoined); candidates that already arrived for the new one stay.
    peers.delete(key);
    old.pc.close();
  }
  const pc = new RTCPeerConnection({
    iceServers: iceServers.map(s => ({ urls: s.urls, username: s.username ?? undefined, credential: s.credential ?? undefined })),
    iceTransportPolicy: relayOnly ? 'relay' : 'all',
  });
  const stream = new MediaStream();
  const peer = { pc, stream, gathered: {}, level: 0, goodSamples: 0, outgoing: [], flushTimer: 0, audioSender: null, videoSender: null };
  peers.set(key, peer);
  if (local) {
    for (const track of local.getTracks()) {
      const sender = pc.addTrack(track, local);
      if (track.kind === 'audio') peer.audioSender = sender; else peer.videoSender = sender;
    }
  } else if (video !== undefined) {
    // A caller whose camera is still opening: offer the media lines now, the tracks follow (useLocalTracks).
    peer.audioSender = pc.addTransceiver('audio', { direction: 'sendrecv' }).sender;
    if (video) peer.videoSender = pc.addTransceiver('video', { direction: 'sendrecv' }).sender;
  }
  pc.ontrack = event => {
    stream.addTrack(event.track);
    attach();
  };
  // Candidates go out in small batches: each signaling message is encrypted for every device of the peer.
  pc.onicecandidate = event => {
    if (event.candidate) {
      peer.gathered[event.candidate.type] = (peer.gathered[event.candidate.type] ?? 0) + 1;
      peer.outgoing.push({ candidate: event.candidate.candidate, sdpMid: event.candidate.sdpMid ?? '', sdpMLineIndex: event.candidate.sdpMLineIndex ?? 0 });
      if (!peer.flushTimer) peer.flushTimer = setTimeout(() => flush(key, peer), 60);
    } else {
      console.info('Parley calls: ICE candidates gathered', JSON.stringify(peer.gathered));
      flush(key, peer);
    }
  };
  // Says which relay failed and why (a wrong TURN secret shows up here as 401).
  pc.onicecandidateerror = event => console.warn('Parley calls: ICE candidate error', event.errorCode, event.errorText, event.url);
  pc.onconnectionstatechange = () => {
    if (peers.get(key) !== peer) return;
    session?.invokeMethodAsync('OnPeerState', key, pc.connectionState);
  };
  if (!qualityTimer) qualityTimer = setInterval(adaptQuality, 2000);
  return peer;
}

async function useLocalTracks(peer) {
  for (const track of local.getTracks()) {
    const sender = track.kind === 'audio' ? peer.audioSender : peer.videoSender;
    if (sender && !sender.track) await sender.replaceTrack(track);
  }
}

function flush(key, peer) {
  clearTimeout(peer.flushTimer);
  peer.flushTimer = 0;
  if (peer.outgoing.length === 0 || peers.get(key) !== peer) return;
  const batch = peer.outgoing.splice(0);
  session?.invokeMethodAsync('OnLocalCandidates', key, JSON.stringify(batch));
}

async function applyPendingCandidates(key) {
  const peer = peers.get(key);
  const list = pendingCandidates.get(key);
  if (!peer || !list || !peer.pc.remoteDescription) return;
  pendingCandidates.delete(key);
  for (const c of list) {
    try {
      await peer.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid || null, sdpMLineIndex: c.sdpMLineIndex });
    } catch (error) {
      console.warn('Parley calls: ignored an ICE candidate', error.name);
    }
  }
}

/**
 * Every 2 s: steps each connection's outgoing video down when the other side reports loss or the
 * encoder is held back by bandwidth, and back up after a few good samples in a row. The first
 * seconds are left alone: the bandwidth estimate starts low and ramps up by itself.
 */
async function adaptQuality() {
  for (const [key, peer] of peers) {
    if (peer.pc.connectionState !== 'connected' || !peer.videoSender?.track) continue;
    peer.connectedSamples = (peer.connectedSamples ?? 0) + 1;
    const report = await peer.pc.getStats();
    let loss = 0;
    let available = null;
    let bandwidthLimited = false;
    report.forEach(s => {
      if (s.type === 'remote-inbound-rtp' && s.kind === 'video' && typeof s.fractionLost === 'number') loss = Math.max(loss, s.fractionLost);
      if (s.type === 'outbound-rtp' && s.kind === 'video' && s.qualityLimitationReason === 'bandwidth') bandwidthLimited = true;
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && typeof s.availableOutgoingBitrate === 'number') {
        available = s.availableOutgoingBitrate;
      }
    });
    const level = peer.level;
    const starved = bandwidthLimited && available !== null && available < LEVELS[level].maxBitrate * 0.5;
    const bad = loss > STEP_DOWN_LOSS || starved;
    peer.badSamples = bad ? (peer.badSamples ?? 0) + 1 : 0;
    peer.goodSamples = !bad && loss < STEP_UP_LOSS && !bandwidthLimited ? peer.goodSamples + 1 : 0;
    if (peer.connectedSamples <= 3) continue;
    if (peer.badSamples >= 2 && level < LEVELS.length - 1) {
      peer.badSamples = 0;
      await setLevel(key, peer, level + 1);
    } else if (peer.goodSamples >= SAMPLES_TO_STEP_UP && level > 0) {
      peer.goodSamples = 0;
      await setLevel(key, peer, level - 1);
    }
  }
}

async function setLevel(key, peer, level) {
  const parameters = peer.videoSender.getParameters();
  if (!parameters.encodings?.length) return;
  parameters.encodings[0].scaleResolutionDownBy = LEVELS[level].scale;
  parameters.encodings[0].maxBitrate = LEVELS[level].maxBitrate;
  try {
    await peer.videoSender.setParameters(parameters);
    peer.level = level;
    session?.invokeMethodAsync('OnQuality', key, LEVELS[level].label);
  } catch (error) {
    console.warn('Parley calls: could not change the video quality', error.name);
  }
}
