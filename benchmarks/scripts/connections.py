"""Opens N JSON-RPC connections to a running gateway at once (./ratestream dev), sends one GetCost of the
worked example on each, and checks every answer. Usage: python3 benchmarks/scripts/connections.py [N]"""
import sys
import json, socket, time, resource
resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
cd = {"CstmId": "vdf", "Subject": "rif", "DestinationPrefix": "0256", "TimeStart": "2012-02-02T17:30:00Z", "TimeEnd": "2012-02-02T18:30:00Z"}
start = time.time()
socks = []
for i in range(N):
    s = socket.create_connection(("127.0.0.1", 2001))
    socks.append(s)
opened = time.time()
for i, s in enumerate(socks):
    s.sendall(json.dumps({"id": i, "method": "Responder.GetCost", "params": [cd]}).encode())
ok = 0
for i, s in enumerate(socks):
    s.settimeout(30)
    buf = b""
    while not buf.endswith(b"\n"):
        buf += s.recv(65536)
    r = json.loads(buf)
    if r["id"] == i and r["error"] is None and r["result"]["Cost"] == 540:
        ok += 1
done = time.time()
print(f"{N} connections open at once: {ok} correct answers; opened in {opened-start:.2f}s, all answered {done-opened:.2f}s later")
for s in socks: s.close()
