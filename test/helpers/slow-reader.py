# A WebSocket client that completes the upgrade and then stops reading, like a frozen browser tab.
# Usage: slow-reader.py PORT TOKEN PAUSE_SECONDS. Prints "closed" if the server dropped the connection, "open" if not.
import socket, sys, time

port, token, pause = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall((
    "GET /ws/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    f"Authorization: Bearer {token}\r\n\r\n"
).encode())
print("upgraded", flush=True)
time.sleep(pause)
s.settimeout(3)
try:
    while s.recv(1 << 20):
        pass
    print("closed", flush=True)
except (socket.timeout, TimeoutError):
    print("open", flush=True)
except OSError:
    # Reset or aborted by the server: closed as well.
    print("closed", flush=True)
