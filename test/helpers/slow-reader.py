# A WebSocket client that completes the upgrade and then never reads again, like a frozen browser tab.
# Usage: slow-reader.py PORT TOKEN SECONDS. Holds the connection that long without reading, then exits.
import socket, sys, time

port, token, hold = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall((
    "GET /ws/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    f"Authorization: Bearer {token}\r\n\r\n"
).encode())
print("upgraded", flush=True)
time.sleep(hold)
