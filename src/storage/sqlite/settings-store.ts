// Settings on SQLite: one row per key.
import type { Settings } from "../settings.ts";
import type { SqliteConnection } from "./connection.ts";

export class SqliteSettings implements Settings {
  constructor(private readonly connection: SqliteConnection) {}

  async getSetting(key: string): Promise<string | undefined> {
    const row = this.connection.database.query("SELECT value FROM settings WHERE key = ?").get(key) as { value: string } | null;
    return row?.value;
  }

  async ensureSetting(key: string, value: string): Promise<string> {
    await this.connection.write((db) => db.query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING").run(key, value));
    return (await this.getSetting(key))!;
  }

  async putSetting(key: string, value: string): Promise<void> {
    await this.connection.write((db) => db.query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(key, value));
  }
}
