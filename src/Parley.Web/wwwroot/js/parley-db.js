// IndexedDB for the web client: one object store of string keys to JSON strings. The C# store
// (Storage/IndexedDbClientStore.cs) decides what the keys and values are; this file only moves them.
// Called through [JSImport] (IndexedDbClientStore.Db): flat string arrays, no JSON round trip.
const DB_NAME = 'parley';
const STORE = 'kv';
let opening;
let loaded = [];

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = transaction.onerror = () => reject(transaction.error);
  });
}

async function readAll() {
  const db = await open();
  const transaction = db.transaction(STORE, 'readonly');
  const store = transaction.objectStore(STORE);
  const keysRequest = store.getAllKeys();
  const valuesRequest = store.getAll();
  await done(transaction);
  const flat = new Array(keysRequest.result.length * 2);
  keysRequest.result.forEach((key, i) => {
    flat[2 * i] = key;
    flat[2 * i + 1] = valuesRequest.result[i];
  });
  return flat;
}

// index.html loads this module while the .NET runtime is still downloading: the database is open
// and read by the time the app asks for it, instead of after the runtime started.
let early = readAll();
early.catch(() => {}); // reported by loadAll(), not as an unhandled rejection

/** Reads every entry (the read started at page load, the first time); takeLoaded() then hands them over. */
export async function loadAll() {
  const reading = early ?? readAll();
  early = null;
  loaded = await reading;
}

/** What loadAll() read, as [key0, value0, key1, value1, …], keys in order; once. */
export function takeLoaded() {
  const entries = loaded;
  loaded = [];
  return entries;
}

/** Applies [key0, value0, key1, value1, …] in order in one transaction (a null value deletes): all of them land, or none. */
export async function write(changes) {
  const db = await open();
  const transaction = db.transaction(STORE, 'readwrite');
  const store = transaction.objectStore(STORE);
  for (let i = 0; i < changes.length; i += 2) {
    if (changes[i + 1] === null) store.delete(changes[i]); else store.put(changes[i + 1], changes[i]);
  }
  await done(transaction);
}

/** Forgets everything this browser kept (sign out). */
export async function clear() {
  const db = await open();
  const transaction = db.transaction(STORE, 'readwrite');
  transaction.objectStore(STORE).clear();
  await done(transaction);
}
