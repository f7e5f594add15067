// A WebSocket client that queues messages so tests can await them in order.
export interface QueuedSocket {
  socket: WebSocket;
  next(timeoutMs?: number): Promise<any>;
  /** Messages received and not yet taken by next(). */
  pending(): number;
  close(): void;
}

export function openSocket(url: URL | string, headers: Record<string, string> = {}): Promise<QueuedSocket> {
  const socket = new WebSocket(url.toString(), { headers } as unknown as string[]);
  const queue: unknown[] = [];
  const waiters: ((value: unknown) => void)[] = [];
  socket.onmessage = (message) => {
    const data = JSON.parse(String(message.data));
    const waiter = waiters.shift();
    if (waiter) waiter(data);
    else queue.push(data);
  };
  const queued: QueuedSocket = {
    socket,
    next(timeoutMs = 2000) {
      if (queue.length) return Promise.resolve(queue.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no WebSocket message within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (value: unknown) => {
          clearTimeout(timer);
          resolve(value);
        };
        waiters.push(waiter);
      });
    },
    pending: () => queue.length,
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.onopen = async () => {
      // The server sends "ready" once the socket is subscribed; only then is nothing missed.
      const ready = await queued.next();
      if (ready.type !== "ready") reject(new Error(`expected ready, got ${JSON.stringify(ready)}`));
      resolve(queued);
    };
    socket.onerror = () => reject(new Error("WebSocket connection failed"));
  });
}
