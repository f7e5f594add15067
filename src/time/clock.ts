// What time it is, in milliseconds since the epoch: an input of the server and its jobs, so tests can move it instead
// of waiting. Production reads the system's clock.
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
