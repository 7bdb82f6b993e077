/**
 * Group commit: writes that arrive in the same turn of the event loop are committed in one
 * transaction, and each caller's promise settles only after that commit — so every acknowledged
 * write is durable, and under load a commit's fixed cost (the WAL write) is shared. If the group's
 * transaction fails, each write is retried alone so one bad write cannot fail the others.
 */
import { writeTransaction, type Db } from './db.js';

export function groupCommit<T>(db: Db, write: (item: T) => void): (item: T) => Promise<void> {
  let queue: { item: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const one = writeTransaction(db, (item: T) => write(item));
  const all = writeTransaction(db, (items: T[]) => {
    for (const item of items) write(item);
  });
  const flush = (): void => {
    const batch = queue;
    queue = [];
    try {
      all(batch.map((b) => b.item));
      for (const b of batch) b.resolve();
    } catch {
      for (const b of batch) {
        try {
          one(b.item);
          b.resolve();
        } catch (e) {
          b.reject(e);
        }
      }
    }
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ item, resolve, reject });
    });
}
