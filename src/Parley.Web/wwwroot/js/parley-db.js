// IndexedDB for the web client: one object store of string keys to JSON strings. The C# store
// (Storage/IndexedDbClientStore.cs) decides what the keys and values are; this file only moves them.
const DB_NAME = 'parley';
const STORE = 'kv';
let opening;

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

/** Every entry as [key, value] pairs, keys in order. */
export async function loadAll() {
  const db = await open();
  const transaction = db.transaction(STORE, 'readonly');
  const store = transaction.objectStore(STORE);
  const keysRequest = store.getAllKeys();
  const valuesRequest = store.getAll();
  await done(transaction);
  return keysRequest.result.map((key, i) => [key, valuesRequest.result[i]]);
}

/** Applies [key, value] changes in order in one transaction (null deletes): all of them land, or none. */
export async function write(changes) {
  const db = await open();
  const transaction = db.transaction(STORE, 'readwrite');
  const store = transaction.objectStore(STORE);
  for (const [key, value] of changes) {
    if (value === null) store.delete(key); else store.put(value, key);
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
