/**
 * Write transactions take SQLite's write lock at BEGIN: with several server processes on one file,
 * a check-then-write (an attempt limit, an LTI state used once) must not read a snapshot another
 * process is about to change.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, writeTransaction } from '../../src/store/sqlite/db.js';

describe('writeTransaction', () => {
  it('holds the write lock from its first statement, so another connection cannot write meanwhile', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepwise-tx-')), 'a.db');
    const a = openDatabase({ file });
    const b = new Database(file);
    b.pragma('busy_timeout = 0');
    let other = 'not tried';
    const read = a.prepare('SELECT count(*) AS n FROM users');
    writeTransaction(a, () => {
      read.get();
      // A only read so far; a deferred transaction would hold no write lock yet.
      try {
        b.exec('BEGIN IMMEDIATE; ROLLBACK');
        other = 'wrote';
      } catch (e) {
        other = (e as { code?: string }).code ?? String(e);
      }
    })();
    expect(other).toBe('SQLITE_BUSY');
    // Once it committed, the other connection writes.
    expect(() => b.exec('BEGIN IMMEDIATE; ROLLBACK')).not.toThrow();
    a.close();
    b.close();
  });

  it('rolls back on a throw and passes arguments and the result through', () => {
    const a = openDatabase({ file: ':memory:' });
    a.exec('CREATE TABLE t (x INTEGER)');
    const add = writeTransaction(a, (x: number, fail: boolean): number => {
      a.prepare('INSERT INTO t VALUES (?)').run(x);
      if (fail) throw new Error('no');
      return x * 2;
    });
    expect(add(3, false)).toBe(6);
    expect(() => add(4, true)).toThrow('no');
    expect(a.prepare('SELECT x FROM t').all()).toEqual([{ x: 3 }]);
    a.close();
  });
});
