"""Fingerprinted static URLs: `url_for('static', …)` adds `?v=<content hash>`, so a browser
(or any cache) may keep the file for a year and a new deploy still reaches every client.

The hashes are computed once, at start-up, from the files this process serves. A request
whose `v` is not this process's hash (an old page, or a web container of another
release during a rolling deploy) gets the file uncached, so no cache keeps a wrong one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request

ONE_YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"
VERSION_ARG = "v"


def file_hashes(folder: Path) -> dict[str, str]:
    """Every file under `folder`, by its URL path (forward slashes), to a short content hash."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def init_app(app: Flask) -> None:
    hashes = file_hashes(Path(app.static_folder)) if app.static_folder else {}
    app.extensions["static_hashes"] = hashes

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and VERSION_ARG not in values:
            version = hashes.get(values.get("filename", ""))
            if version:
                values[VERSION_ARG] = version

    @app.after_request
    def cache_fingerprinted(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get(VERSION_ARG) and request.args[VERSION_ARG] == hashes.get(filename):
            response.cache_control.no_cache = None
            response.headers["Cache-Control"] = IMMUTABLE
        return response
