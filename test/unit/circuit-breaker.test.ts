// The Oura circuit breaker on a fake clock: opens after a run of transient failures, refuses without sending while
// open, lets one probe through after a back-off that doubles up to its cap, and closes on any answer.
import { describe, expect, test } from "bun:test";
import { CIRCUIT_DEFAULTS, CircuitBreaker, OuraUnavailable } from "../../src/oura/circuit-breaker.ts";
import { OuraApiError } from "../../src/oura/client.ts";

const unavailable = () => new OuraApiError(503, "Service Unavailable");

function breaker(timings = { failureThreshold: 3, probeAfterMs: 1_000, maxProbeAfterMs: 4_000 }) {
  const clock = { now: 1_000_000 };
  return { clock, circuit: new CircuitBreaker(timings, undefined, () => clock.now) };
}

/** One request through the breaker, as the client sends it: admitted, then its outcome reported. */
function send(circuit: CircuitBreaker, outcome: "ok" | "fail"): "sent-ok" | "sent-failed" | "refused" {
  let ticket;
  try {
    circuit.check();
    ticket = circuit.admit();
  } catch (error) {
    expect(error).toBeInstanceOf(OuraUnavailable);
    expect((error as OuraUnavailable).sent).toBe(false);
    return "refused";
  }
  if (outcome === "ok") {
    circuit.success();
    return "sent-ok";
  }
  circuit.failure(ticket, unavailable());
  return "sent-failed";
}

describe("circuit breaker", () => {
  test("production defaults: five failures in a row, first probe after 5 s, at most a minute apart", () => {
    expect(CIRCUIT_DEFAULTS).toEqual({ failureThreshold: 5, probeAfterMs: 5_000, maxProbeAfterMs: 60_000 });
  });

  test("a success between failures keeps it closed; the threshold in a row opens it", () => {
    const { circuit } = breaker();
    send(circuit, "fail");
    send(circuit, "fail");
    send(circuit, "ok");
    send(circuit, "fail");
    send(circuit, "fail");
    expect(circuit.state).toBe("closed");
    expect(circuit.status().consecutive_failures).toBe(2);
    send(circuit, "fail");
    expect(circuit.state).toBe("open");
    expect(circuit.status()).toMatchObject({ state: "open", consecutive_failures: 3, failures_total: 5, opened_total: 1 });
  });

  test("the failure that opens it comes back as OuraUnavailable (sent), the ones before as themselves", () => {
    const { circuit, clock } = breaker();
    const first = circuit.failure(circuit.admit(), unavailable());
    expect(first).not.toBeInstanceOf(OuraUnavailable);
    circuit.failure(circuit.admit(), unavailable());
    const third = circuit.failure(circuit.admit(), unavailable());
    expect(third).toBeInstanceOf(OuraUnavailable);
    expect((third as OuraUnavailable).sent).toBe(true);
    expect((third as OuraUnavailable).retryAtMs).toBe(clock.now + 1_000);
    expect(third.status).toBe(503);
  });

  test("open: nothing is sent until the probe is due; then one probe, and others are refused while it is out", () => {
    const { circuit, clock } = breaker();
    for (let i = 0; i < 3; i++) send(circuit, "fail");
    expect(circuit.ready()).toBe(false);
    expect(send(circuit, "ok")).toBe("refused");
    clock.now += 999;
    expect(send(circuit, "ok")).toBe("refused");
    clock.now += 1;
    expect(circuit.ready()).toBe(true);
    const probe = circuit.admit();
    expect(probe.probe).toBe(true);
    expect(circuit.state).toBe("half_open");
    expect(circuit.ready()).toBe(false);
    expect(() => circuit.admit()).toThrow(OuraUnavailable);
    circuit.success();
    expect(circuit.state).toBe("closed");
    expect(circuit.recoveries).toBe(1);
    expect(circuit.status()).toMatchObject({ state: "closed", consecutive_failures: 0, next_probe_at: null });
  });

  test("each failed probe doubles the wait, up to its cap; a recovery starts again from the first wait", () => {
    const { circuit, clock } = breaker();
    for (let i = 0; i < 3; i++) send(circuit, "fail");
    const waits: number[] = [];
    for (let probe = 0; probe < 5; probe++) {
      const opened = clock.now;
      while (!circuit.ready()) clock.now += 100;
      waits.push(clock.now - opened);
      expect(send(circuit, "fail")).toBe("sent-failed");
      expect(circuit.state).toBe("open");
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 4_000, 4_000]);
    clock.now += 4_000;
    expect(send(circuit, "ok")).toBe("sent-ok");
    for (let i = 0; i < 3; i++) send(circuit, "fail");
    expect(circuit.status().next_probe_at).toBe(new Date(clock.now + 1_000).toISOString());
    expect(circuit.status().opened_total).toBe(2);
  });

  test("since is when the outage began, through failed probes; and when it closed after", () => {
    const { circuit, clock } = breaker();
    const began = clock.now;
    for (let i = 0; i < 3; i++) send(circuit, "fail");
    clock.now += 1_000;
    send(circuit, "fail");
    expect(circuit.status().since).toBe(new Date(began).toISOString());
    clock.now += 2_000;
    circuit.admit();
    expect(circuit.status()).toMatchObject({ state: "half_open", since: new Date(began).toISOString() });
    circuit.success();
    expect(circuit.status().since).toBe(new Date(clock.now).toISOString());
  });

  test("any answer closes it, a person's request too (sign-in is never refused, and its answer counts)", () => {
    const { circuit } = breaker();
    for (let i = 0; i < 3; i++) send(circuit, "fail");
    expect(circuit.state).toBe("open");
    // An ungated request has no ticket; Oura answering it (even a 4xx) says Oura is up.
    circuit.success();
    expect(circuit.state).toBe("closed");
  });

  test("a probe given up by its caller leaves the next request to probe at once", () => {
    const { circuit, clock } = breaker();
    for (let i = 0; i < 3; i++) send(circuit, "fail");
    clock.now += 1_000;
    const probe = circuit.admit();
    circuit.abandon(probe);
    expect(circuit.state).toBe("open");
    expect(circuit.ready()).toBe(true);
    expect(circuit.admit().probe).toBe(true);
  });

  test("late failures of requests sent before it opened neither count as probes nor push the probe back", () => {
    const { circuit, clock } = breaker();
    const inFlight = [circuit.admit(), circuit.admit(), circuit.admit(), circuit.admit()];
    for (const ticket of inFlight.slice(0, 3)) circuit.failure(ticket, unavailable());
    const probeAt = circuit.status().next_probe_at;
    clock.now += 500;
    const late = circuit.failure(inFlight[3], unavailable());
    expect(late).toBeInstanceOf(OuraUnavailable);
    expect(circuit.status().next_probe_at).toBe(probeAt);
  });
});
