// Every test gets a real IndexedDB implementation (fake-indexeddb) in place of the browser's.
import "fake-indexeddb/auto";
