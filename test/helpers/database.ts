// Reads the server's SQLite file directly, the way an operator would, to check what was really committed.
import { Database } from "bun:sqlite";

export function countRows(path: string, where = "1", params: Record<string, string> = {}): number {
  const db = new Database(path, { readonly: true, strict: true });
  try {
    return (db.query(`SELECT count(*) AS n FROM events WHERE ${where}`).get(params) as { n: number }).n;
  } finally {
    db.close();
  }
}
