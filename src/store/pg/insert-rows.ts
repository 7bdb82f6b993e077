/** Many rows in one INSERT statement: `($1, $2, …), (…)`, in chunks that stay under PostgreSQL's 65,535 parameters. */
import type { Sql } from './db.js';

const MAX_PARAMS = 60_000;

/** `head` is `INSERT INTO t (a, b, …)`; `tail` follows the VALUES list (ON CONFLICT …). Rows are inserted in order. */
export async function insertRows(sql: Sql, head: string, rows: readonly (readonly unknown[])[], tail = ''): Promise<void> {
  if (rows.length === 0) return;
  const width = rows[0].length;
  const per = Math.max(1, Math.floor(MAX_PARAMS / width));
  for (let start = 0; start < rows.length; start += per) {
    const chunk = rows.slice(start, start + per);
    const values: unknown[] = [];
    const tuples = chunk.map((r) => {
      const marks = r.map((v) => {
        values.push(v);
        return `$${values.length}`;
      });
      return `(${marks.join(', ')})`;
    });
    await sql.query(`${head} VALUES ${tuples.join(', ')}${tail}`, values);
  }
}
