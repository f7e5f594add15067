// What will not work with a configuration the server accepts: said by check-config before a user finds out from
// refused webhooks or a missing sign-in button. None of these stops the server.
import type { Config } from "../config.ts";

/** Hosts Oura's servers cannot call back: this machine, and private or link-local networks. */
const UNREACHABLE_HOST = /^(localhost|127\.|0\.0\.0\.0|\[?::1\]?|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|\[?f[cd][0-9a-f]{2}:)/i;

export function configurationGaps(config: Config): string[] {
  const gaps: string[] = [];
  const { clientId, clientSecret, webhookSecret } = config.oura;
  if (!webhookSecret) gaps.push("webhooks will be refused (503): no OURA_CLIENT_SECRET (or OURA_WEBHOOK_SECRET) to check their signature");
  if (clientId && !clientSecret) gaps.push("sign-in with Oura is off: OURA_CLIENT_ID is set without OURA_CLIENT_SECRET");
  if (clientSecret && !clientId) gaps.push("sign-in with Oura is off and no document is fetched: OURA_CLIENT_SECRET is set without OURA_CLIENT_ID");
  if (clientId && clientSecret && !config.polling.enabled && !config.databricksApp) {
    // Without PUBLIC_URL Oura has no address at all, whatever HOST listens on (an IPv6 HOST such as "::" included).
    const base = config.publicUrl ?? `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`;
    if (!config.publicUrl || UNREACHABLE_HOST.test(new URL(config.publicUrl).hostname)) {
      gaps.push(
        `Oura cannot send webhooks to ${base}/webhooks (${config.publicUrl ? "a private address" : "PUBLIC_URL is unset"}): set POLLING_ENABLED=true to poll instead, or PUBLIC_URL to an https address Oura can reach`,
      );
    }
  }
  return gaps;
}
