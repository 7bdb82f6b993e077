/** Row-mapping helpers: SQL NULL becomes an absent field, JSON columns are parsed. */

/** `{ [key]: value }` when value is not null, else `{}` — for spreading optional fields. */
export function opt<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

export function json<T>(text: string): T {
  return JSON.parse(text) as T;
}
