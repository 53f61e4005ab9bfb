// In-memory implementations of libsignal's store interfaces for one party.
// Records are kept serialized so that a failed native call can never leave a half-updated object
// behind, and so that every load hands libsignal a fresh copy, as a database-backed store would.
import * as signal from '@signalapp/libsignal-client';

const addressKey = (address) => `${address.name()}.${address.deviceId()}`;

export class IdentityStore extends signal.IdentityKeyStore {
  constructor(identityKeyPair, registrationId) {
    super();
    this.identityKeyPair = identityKeyPair;
    this.registrationId = registrationId;
    this.known = new Map(); // address -> serialized PublicKey
  }

  async getIdentityKey() {
    return this.identityKeyPair.privateKey;
  }

  async getLocalRegistrationId() {
    return this.registrationId;
  }

  async saveIdentity(address, key) {
    const id = addressKey(address);
    const previous = this.known.get(id);
    const next = Buffer.from(key.serialize());
    this.known.set(id, next);
    return previous !== undefined && !previous.equals(next)
      ? signal.IdentityChange.ReplacedExisting
      : signal.IdentityChange.NewOrUnchanged;
  }

  // Trust on first use, like libsignal's own InMemIdentityKeyStore: a known identity must match.
  async isTrustedIdentity(address, key, _direction) {
    const previous = this.known.get(addressKey(address));
    return previous === undefined || previous.equals(Buffer.from(key.serialize()));
  }

  async getIdentity(address) {
    const known = this.known.get(addressKey(address));
    return known === undefined ? null : signal.PublicKey.deserialize(known);
  }
}

export class SessionStore extends signal.SessionStore {
  constructor() {
    super();
    this.sessions = new Map(); // address -> serialized SessionRecord
  }

  async saveSession(address, record) {
    this.sessions.set(addressKey(address), record.serialize());
  }

  async getSession(address) {
    const stored = this.sessions.get(addressKey(address));
    return stored === undefined ? null : signal.SessionRecord.deserialize(stored);
  }

  async getExistingSessions(addresses) {
    return Promise.all(addresses.map(async (address) => {
      const session = await this.getSession(address);
      if (session === null) throw new Error(`no session for ${addressKey(address)}`);
      return session;
    }));
  }
}

class RecordMap {
  constructor(kind, type) {
    this.kind = kind;
    this.type = type;
    this.records = new Map(); // id -> serialized record
  }

  save(id, record) {
    this.records.set(id, record.serialize());
  }

  load(id) {
    const stored = this.records.get(id);
    if (stored === undefined) throw new Error(`no ${this.kind} with id ${id}`);
    return this.type.deserialize(stored);
  }
}

export class PreKeyStore extends signal.PreKeyStore {
  constructor() {
    super();
    this.map = new RecordMap('prekey', signal.PreKeyRecord);
  }

  async savePreKey(id, record) { this.map.save(id, record); }
  async getPreKey(id) { return this.map.load(id); }
  async removePreKey(id) { this.map.records.delete(id); }
}

export class SignedPreKeyStore extends signal.SignedPreKeyStore {
  constructor() {
    super();
    this.map = new RecordMap('signed prekey', signal.SignedPreKeyRecord);
  }

  async saveSignedPreKey(id, record) { this.map.save(id, record); }
  async getSignedPreKey(id) { return this.map.load(id); }
}

export class KyberPreKeyStore extends signal.KyberPreKeyStore {
  constructor() {
    super();
    this.map = new RecordMap('kyber prekey', signal.KyberPreKeyRecord);
    this.used = [];
  }

  async saveKyberPreKey(id, record) { this.map.save(id, record); }
  async getKyberPreKey(id) { return this.map.load(id); }

  // Kyber prekeys in Parley's bundles are last-resort keys: kept after use, like libsignal's tests.
  async markKyberPreKeyUsed(id, signedPreKeyId, baseKey) {
    this.used.push({ id, signedPreKeyId, baseKey: Buffer.from(baseKey.serialize()).toString('base64') });
  }
}

export class SenderKeyStore extends signal.SenderKeyStore {
  constructor() {
    super();
    this.keys = new Map(); // address|distributionId -> serialized SenderKeyRecord
  }

  async saveSenderKey(sender, distributionId, record) {
    this.keys.set(`${addressKey(sender)}|${distributionId}`, record.serialize());
  }

  async getSenderKey(sender, distributionId) {
    const stored = this.keys.get(`${addressKey(sender)}|${distributionId}`);
    return stored === undefined ? null : signal.SenderKeyRecord.deserialize(stored);
  }
}

/** Everything one libsignal user (one device) keeps. */
export class Party {
  constructor(name, deviceId, identityKeyPair, registrationId) {
    this.name = name;
    this.deviceId = deviceId;
    this.address = signal.ProtocolAddress.new(name, deviceId);
    this.identity = new IdentityStore(identityKeyPair, registrationId);
    this.sessions = new SessionStore();
    this.preKeys = new PreKeyStore();
    this.signedPreKeys = new SignedPreKeyStore();
    this.kyberPreKeys = new KyberPreKeyStore();
    this.senderKeys = new SenderKeyStore();
    this.nextPreKeyId = 1;
  }
}
