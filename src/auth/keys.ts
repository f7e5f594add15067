// The server's secret keys, all derived (HKDF) from one master secret: APP_SECRET_KEY, or a random key generated once
// into a 0600 file beside the database.
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Logger } from "../log.ts";

export interface ServerKeys {
  /** AES-GCM key for OAuth tokens at rest. */
  tokenKey: CryptoKey;
  /** HMAC key material for signed session cookies. */
  cookieSecret: string;
  /**
   * Writes the generated key file again if it was removed while the server runs: without it, a restart would generate
   * a new key and every stored token would be unreadable.
   */
  restoreKeyFile(): void;
}

const encoder = new TextEncoder();

export function keyFilePath(databasePath: string): string | undefined {
  return databasePath === ":memory:" ? undefined : `${databasePath}.key`;
}

function writeKeyFile(path: string, master: string): void {
  writeFileSync(path, master + "\n", { mode: 0o600 });
  chmodSync(path, 0o600);
}

function loadOrCreateMasterKey(databasePath: string, logger: Logger): string {
  const path = keyFilePath(databasePath);
  if (path && existsSync(path)) return readFileSync(path, "utf8").trim();
  const generated = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  if (path) {
    writeKeyFile(path, generated);
    logger.warn("keys.generated", { file: path, advice: "set APP_SECRET_KEY to keep tokens readable if this file is lost" });
  } else {
    logger.warn("keys.ephemeral", { reason: "no APP_SECRET_KEY and an in-memory database: tokens and sessions end with the process" });
  }
  return generated;
}

async function derive(master: string, info: string, algorithm: AesKeyGenParams | HmacKeyGenParams, usages: KeyUsage[], extractable = false) {
  const base = await crypto.subtle.importKey("raw", encoder.encode(master), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("oura-streaming/v1"), info: encoder.encode(info) },
    base,
    algorithm,
    extractable,
    usages,
  );
}

export async function loadServerKeys(appSecretKey: string | undefined, databasePath: string, logger: Logger): Promise<ServerKeys> {
  const master = appSecretKey ?? loadOrCreateMasterKey(databasePath, logger);
  const tokenKey = await derive(master, "token-encryption", { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]);
  const cookieKey = await derive(master, "session-cookie", { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign"], true);
  const cookieSecret = Buffer.from(await crypto.subtle.exportKey("raw", cookieKey)).toString("base64url");
  const keyFile = appSecretKey ? undefined : keyFilePath(databasePath);
  const restoreKeyFile = () => {
    if (!keyFile || existsSync(keyFile)) return;
    try {
      writeKeyFile(keyFile, master);
      logger.warn("keys.restored", { file: keyFile, reason: "the key file was removed while the server was running" });
    } catch {
      // The directory may be gone too; the storage check reports that, and this is tried again next second.
    }
  };
  return { tokenKey, cookieSecret, restoreKeyFile };
}
