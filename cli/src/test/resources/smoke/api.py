"""An API a post-deploy smoke test checks: a health endpoint, CORS preflight for one origin, and
401 without a token. Run as: api.py PORT [--no-cors]  (--no-cors: a release that lost its CORS
configuration)."""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
CORS = "--no-cors" not in sys.argv[2:]
ORIGIN = "https://shop.example"


class Api(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            self._reply(200, b'{"status":"ok"}', [("Content-Type", "application/json")])
        elif self.path.startswith("/api/orders"):
            if self.headers.get("Authorization") is None:
                self._reply(401, b"", [("WWW-Authenticate", 'Bearer realm="orders"')])
            else:
                self._reply(200, b"[]", [("Content-Type", "application/json")])
        else:
            self._reply(404)

    def do_OPTIONS(self):
        headers = []
        if CORS and self.headers.get("Origin") == ORIGIN:
            headers = [("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Methods", "GET, POST")]
        self._reply(204, b"", headers)


ThreadingHTTPServer(("127.0.0.1", PORT), Api).serve_forever()
