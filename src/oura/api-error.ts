// The one error the Oura client raises, carrying Oura's own answer (its own module: the circuit breaker tells them apart too).
export class OuraApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    /** OAuth error code (e.g. invalid_grant) when the token endpoint refused. */
    readonly oauthError?: string,
    readonly retryAfterSeconds?: number,
  ) {
    // Status 0: no answer at all (a network error or a timeout); the detail says which.
    super(status === 0 ? `Oura did not answer: ${detail}` : `Oura answered ${status}: ${detail}`);
    this.name = "OuraApiError";
  }
}
