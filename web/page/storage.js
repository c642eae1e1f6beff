// A tiny key-value store on IndexedDB: the last trained/loaded model and the
// user's taught drawings survive a reload. Failures (private mode, quota) are
// reported to the caller, never fatal.
const DB_NAME = "pynet";
const STORE = "kv";

let dbPromise = null;

function open() {
  dbPromise ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return dbPromise;
}

async function transact(mode, action) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = action(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const storage = {
  get: (key) => transact("readonly", (s) => s.get(key)),
  set: (key, value) => transact("readwrite", (s) => s.put(value, key)),
  delete: (key) => transact("readwrite", (s) => s.delete(key)),
};
