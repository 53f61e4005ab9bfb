// The commands the harness answers. Each takes the parsed request and returns a plain object;
// binary values travel as base64 strings. A thrown error becomes {"error": "..."} in harness.js.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as signal from '@signalapp/libsignal-client';
import { Party } from './stores.js';

const parties = new Map();
const libsignalVersion = JSON.parse(readFileSync(
  fileURLToPath(new URL('./node_modules/@signalapp/libsignal-client/package.json', import.meta.url)), 'utf8')).version;

const b64 = (bytes) => Buffer.from(bytes).toString('base64');

function bytes(request, field) {
  const value = request[field];
  if (typeof value !== 'string') throw new Error(`missing base64 field '${field}'`);
  return new Uint8Array(Buffer.from(value, 'base64'));
}

function optionalBytes(request, field) {
  return request[field] === undefined || request[field] === null ? null : bytes(request, field);
}

function number(request, field, fallback) {
  const value = request[field];
  if (value === undefined || value === null) {
    if (fallback === undefined) throw new Error(`missing number field '${field}'`);
    return fallback;
  }
  if (typeof value !== 'number') throw new Error(`field '${field}' must be a number`);
  return value;
}

function party(request) {
  const name = request.party;
  const found = parties.get(name);
  if (found === undefined) throw new Error(`unknown party '${name}'`);
  return found;
}

const peerAddress = (request) => signal.ProtocolAddress.new(request.peer, number(request, 'peerDevice', 1));

function randomRegistrationId() {
  return 1 + Math.floor(Math.random() * 16380);
}

export const commands = {
  ping: async () => ({ libsignalVersion }),

  // --- Parties and prekeys ----------------------------------------------------------------------

  createParty: async (request) => {
    const name = request.party;
    if (typeof name !== 'string' || name.length === 0) throw new Error("missing string field 'party'");
    const privateKey = request.identityPrivate
      ? signal.PrivateKey.deserialize(bytes(request, 'identityPrivate'))
      : signal.PrivateKey.generate();
    const identity = new signal.IdentityKeyPair(privateKey.getPublicKey(), privateKey);
    const registrationId = number(request, 'registrationId', randomRegistrationId());
    const created = new Party(name, number(request, 'deviceId', 1), identity, registrationId);
    parties.set(name, created);
    return {
      identityKey: b64(identity.publicKey.serialize()),
      identityPrivate: b64(identity.privateKey.serialize()),
      registrationId,
    };
  },

  // Generates a fresh one-time prekey (unless withPreKey is false), signed prekey and Kyber1024
  // last-resort prekey, stores their private halves, and returns the public bundle.
  getBundle: async (request) => {
    const p = party(request);
    const identity = p.identity.identityKeyPair;
    const id = p.nextPreKeyId++;
    const withPreKey = request.withPreKey !== false;

    const preKeyId = number(request, 'preKeyId', id);
    const preKey = signal.PrivateKey.generate();
    if (withPreKey) await p.preKeys.savePreKey(preKeyId, signal.PreKeyRecord.new(preKeyId, preKey.getPublicKey(), preKey));

    const signedPreKeyId = number(request, 'signedPreKeyId', id);
    const signedPreKey = signal.PrivateKey.generate();
    const signedSignature = identity.privateKey.sign(signedPreKey.getPublicKey().serialize());
    await p.signedPreKeys.saveSignedPreKey(signedPreKeyId,
      signal.SignedPreKeyRecord.new(signedPreKeyId, Date.now(), signedPreKey.getPublicKey(), signedPreKey, signedSignature));

    const kyberPreKeyId = number(request, 'kyberPreKeyId', id);
    const kyber = signal.KEMKeyPair.generate();
    const kyberSignature = identity.privateKey.sign(kyber.getPublicKey().serialize());
    await p.kyberPreKeys.saveKyberPreKey(kyberPreKeyId,
      signal.KyberPreKeyRecord.new(kyberPreKeyId, Date.now(), kyber, kyberSignature));

    return {
      registrationId: p.identity.registrationId,
      deviceId: p.deviceId,
      preKeyId: withPreKey ? preKeyId : null,
      preKey: withPreKey ? b64(preKey.getPublicKey().serialize()) : null,
      signedPreKeyId,
      signedPreKey: b64(signedPreKey.getPublicKey().serialize()),
      signedPreKeySignature: b64(signedSignature),
      identityKey: b64(identity.publicKey.serialize()),
      kyberPreKeyId,
      kyberPreKey: b64(kyber.getPublicKey().serialize()),
      kyberPreKeySignature: b64(kyberSignature),
    };
  },

  // Starts a session with a peer from a bundle (fields as getBundle returns them).
  processBundle: async (request) => {
    const p = party(request);
    const b = request.bundle ?? {};
    const preKey = optionalBytes(b, 'preKey');
    const bundle = signal.PreKeyBundle.new(
      number(b, 'registrationId'), number(b, 'deviceId', 1),
      preKey === null ? null : number(b, 'preKeyId'), preKey === null ? null : signal.PublicKey.deserialize(preKey),
      number(b, 'signedPreKeyId'), signal.PublicKey.deserialize(bytes(b, 'signedPreKey')), bytes(b, 'signedPreKeySignature'),
      signal.PublicKey.deserialize(bytes(b, 'identityKey')),
      number(b, 'kyberPreKeyId'), signal.KEMPublicKey.deserialize(bytes(b, 'kyberPreKey')), bytes(b, 'kyberPreKeySignature'));
    await signal.processPreKeyBundle(bundle, peerAddress(request), p.sessions, p.identity);
    return {};
  },

  // --- 1:1 messages -----------------------------------------------------------------------------

  // With "discard": n, first encrypts and throws away n messages, as if they were lost in transit.
  encrypt: async (request) => {
    const p = party(request);
    const plaintext = bytes(request, 'plaintext');
    for (let i = number(request, 'discard', 0); i > 0; i--) {
      await signal.signalEncrypt(plaintext, peerAddress(request), p.sessions, p.identity);
    }
    const message = await signal.signalEncrypt(plaintext, peerAddress(request), p.sessions, p.identity);
    return { type: message.type(), body: b64(message.serialize()) };
  },

  // Decrypts a PreKeySignalMessage (type 3) or SignalMessage (type 2).
  decrypt: async (request) => {
    const p = party(request);
    const body = bytes(request, 'body');
    const type = number(request, 'type');
    let plaintext;
    if (type === signal.CiphertextMessageType.PreKey) {
      plaintext = await signal.signalDecryptPreKey(signal.PreKeySignalMessage.deserialize(body), peerAddress(request),
        p.sessions, p.identity, p.preKeys, p.signedPreKeys, p.kyberPreKeys);
    } else if (type === signal.CiphertextMessageType.Whisper) {
      plaintext = await signal.signalDecrypt(signal.SignalMessage.deserialize(body), peerAddress(request), p.sessions, p.identity);
    } else {
      throw new Error(`unsupported message type ${type}`);
    }
    return { plaintext: b64(plaintext) };
  },

  // What libsignal reads from a message's wire form, without decrypting it.
  inspectMessage: async (request) => {
    const body = bytes(request, 'body');
    const type = number(request, 'type');
    if (type === signal.CiphertextMessageType.PreKey) {
      const m = signal.PreKeySignalMessage.deserialize(body);
      return { version: m.version(), registrationId: m.registrationId(), preKeyId: m.preKeyId(), signedPreKeyId: m.signedPreKeyId() };
    }
    const m = signal.SignalMessage.deserialize(body);
    return { version: m.messageVersion(), counter: m.counter(), pqRatchetLength: m.pqRatchet().length };
  },

  sessionInfo: async (request) => {
    const p = party(request);
    const record = await p.sessions.getSession(peerAddress(request));
    const identity = await p.identity.getIdentity(peerAddress(request));
    return {
      hasSession: record !== null && record.hasCurrentState(),
      remoteRegistrationId: record !== null && record.hasCurrentState() ? record.remoteRegistrationId() : null,
      remoteIdentityKey: identity === null ? null : b64(identity.serialize()),
      preKeyIds: [...p.preKeys.map.records.keys()],
      kyberPreKeysUsed: p.kyberPreKeys.used.length,
    };
  },

  // Moves the current session state with a peer into the record's archive (as on a reset).
  archiveSession: async (request) => {
    const p = party(request);
    const address = peerAddress(request);
    const record = await p.sessions.getSession(address);
    if (record === null) return { archived: false };
    record.archiveCurrentState();
    await p.sessions.saveSession(address, record);
    return { archived: true };
  },

  // --- Sender keys ------------------------------------------------------------------------------

  groupCreateDistribution: async (request) => {
    const p = party(request);
    const message = await signal.SenderKeyDistributionMessage.create(p.address, request.distributionId, p.senderKeys);
    return {
      message: b64(message.serialize()),
      chainId: message.chainId(),
      iteration: message.iteration(),
      distributionId: message.distributionId(),
    };
  },

  groupProcessDistribution: async (request) => {
    const p = party(request);
    const message = signal.SenderKeyDistributionMessage.deserialize(bytes(request, 'message'));
    await signal.processSenderKeyDistributionMessage(peerAddress(request), message, p.senderKeys);
    return { chainId: message.chainId(), iteration: message.iteration(), distributionId: message.distributionId() };
  },

  groupEncrypt: async (request) => {
    const p = party(request);
    const message = await signal.groupEncrypt(p.address, request.distributionId, p.senderKeys, bytes(request, 'plaintext'));
    return { message: b64(message.serialize()) };
  },

  groupDecrypt: async (request) => {
    const p = party(request);
    const plaintext = await signal.groupDecrypt(peerAddress(request), p.senderKeys, bytes(request, 'message'));
    return { plaintext: b64(plaintext) };
  },

  // Drops the party's own sender key for a distribution, so the next distribution starts a new chain.
  groupForget: async (request) => {
    const p = party(request);
    const prefix = `${p.name}.${p.deviceId}|`;
    const wanted = String(request.distributionId).toLowerCase();
    let forgotten = 0;
    for (const key of [...p.senderKeys.keys.keys()]) {
      if (key.startsWith(prefix) && key.slice(prefix.length).toLowerCase() === wanted) {
        p.senderKeys.keys.delete(key);
        forgotten++;
      }
    }
    return { forgotten };
  },

  inspectSenderKeyMessage: async (request) => {
    const m = signal.SenderKeyMessage.deserialize(bytes(request, 'message'));
    const result = { distributionId: m.distributionId(), chainId: m.chainId(), iteration: m.iteration() };
    if (request.signingKey) result.signatureValid = m.verifySignature(signal.PublicKey.deserialize(bytes(request, 'signingKey')));
    return result;
  },

  // --- Primitives -------------------------------------------------------------------------------

  generateKeyPair: async () => {
    const privateKey = signal.PrivateKey.generate();
    return { publicKey: b64(privateKey.getPublicKey().serialize()), privateKey: b64(privateKey.serialize()) };
  },

  publicKeyOf: async (request) => ({
    publicKey: b64(signal.PrivateKey.deserialize(bytes(request, 'privateKey')).getPublicKey().serialize()),
  }),

  // XEdDSA signature by a Curve25519 private key (libsignal's nonce is random).
  sign: async (request) => ({
    signature: b64(signal.PrivateKey.deserialize(bytes(request, 'privateKey')).sign(bytes(request, 'message'))),
  }),

  verify: async (request) => ({
    valid: signal.PublicKey.deserialize(bytes(request, 'publicKey')).verify(bytes(request, 'message'), bytes(request, 'signature')),
  }),

  agree: async (request) => ({
    sharedSecret: b64(signal.PrivateKey.deserialize(bytes(request, 'privateKey'))
      .agree(signal.PublicKey.deserialize(bytes(request, 'publicKey')))),
  }),

  // libsignal's Node API has no raw KEM encapsulation; these prove the key encodings, and
  // PQXDH sessions prove encapsulation and decapsulation.
  kyberGenerate: async () => {
    const pair = signal.KEMKeyPair.generate();
    return { publicKey: b64(pair.getPublicKey().serialize()), secretKey: b64(pair.getSecretKey().serialize()) };
  },

  kyberParse: async (request) => {
    const result = {};
    if (request.publicKey) result.publicKey = b64(signal.KEMPublicKey.deserialize(bytes(request, 'publicKey')).serialize());
    if (request.secretKey) result.secretKey = b64(signal.KEMSecretKey.deserialize(bytes(request, 'secretKey')).serialize());
    return result;
  },

  hkdf: async (request) => ({
    output: b64(signal.hkdf(number(request, 'length'), bytes(request, 'ikm'),
      optionalBytes(request, 'info') ?? new Uint8Array(0), optionalBytes(request, 'salt'))),
  }),

  fingerprint: async (request) => {
    const fingerprint = signal.Fingerprint.new(
      number(request, 'iterations', 5200), number(request, 'version', 2),
      bytes(request, 'localId'), signal.PublicKey.deserialize(bytes(request, 'localKey')),
      bytes(request, 'remoteId'), signal.PublicKey.deserialize(bytes(request, 'remoteKey')));
    return {
      displayable: fingerprint.displayableFingerprint().toString(),
      scannable: b64(fingerprint.scannableFingerprint().toBuffer()),
    };
  },

  scannableCompare: async (request) => ({
    matches: signal.ScannableFingerprint._fromBuffer(bytes(request, 'local'))
      .compare(signal.ScannableFingerprint._fromBuffer(bytes(request, 'remote'))),
  }),

  reset: async () => {
    parties.clear();
    return {};
  },
};
