# An HTTP client that reads the start of a response and then stops reading, like a stalled download.
# Usage: slow-download.py PORT PATH TOKEN SECONDS. Prints the status line once the first bytes arrive, holds the
# connection that long without reading more (its small receive buffer fills, so the server must wait), then exits.
import socket, sys, time

port, path, token, hold = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
first = s.recv(4096)
print(first.split(b"\r\n", 1)[0].decode(), flush=True)
time.sleep(hold)
