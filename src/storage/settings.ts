// Small named values the server keeps across restarts (a generated verification token, what was done once).

export interface Settings {
  getSetting(key: string): Promise<string | undefined>;
  /** Stores value unless the key already has one; returns the value that is kept. */
  ensureSetting(key: string, value: string): Promise<string>;
  /** Stores value, replacing whatever the key had. */
  putSetting(key: string, value: string): Promise<void>;
}
