"""A stand-in for CBS's OData v3 service on 127.0.0.1: it answers from recordings in CBS's own format
(tests/data/statline/<table>.json) with the addresses inside rewritten to itself, so ``cbsodata``
follows ``odata.nextLink`` to it as it would to CBS. regiekit reaches it through REGIEKIT_STATLINE_URL."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

RECORDINGS = Path(__file__).parent / "data" / "statline"
CBS = "https://opendata.cbs.nl"


class StatLineServer:
    def __init__(self, folder: Path = RECORDINGS):
        self.responses = {}
        for path in sorted(folder.glob("*.json")):
            self.responses.update(json.loads(path.read_text(encoding="utf-8"))["responses"])
        self.urls: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.urls.append(self.path)
                url = urlparse(self.path)
                key = url.path.split("/odata/", 1)[-1]
                skip = parse_qs(url.query).get("$skip")
                body = server.responses.get(key + (f"?$skip={skip[0]}" if skip else ""))
                data = json.dumps(body or {"odata.error": {"message": {"value": "not found"}}})
                data = data.replace(CBS, server.url).encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/json;odata=minimalmetadata;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
