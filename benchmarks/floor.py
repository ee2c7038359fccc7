"""The floor: a bare WSGI app around psycopg that answers the benchmark's requests with
hand-written SQL and no framework, auth or permissions. Run under gunicorn like the server:

    BENCH_DATABASE_URL=postgres://... gunicorn -w 4 benchmarks.floor:application
"""

import json
import os
from datetime import UTC, datetime
from urllib.parse import parse_qs

import psycopg
from psycopg.rows import dict_row

_connection = None


def connection():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True, row_factory=dict_row)
    return _connection


def _json(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    raise TypeError(type(value))


def respond(start_response, status: str, body) -> list[bytes]:
    payload = json.dumps(body, default=_json).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


def application(environ, start_response):
    path = environ["PATH_INFO"]
    method = environ["REQUEST_METHOD"]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    with connection().cursor() as cursor:
        if method == "GET" and path.startswith("/_/items/articles/"):
            cursor.execute("SELECT * FROM articles WHERE id = %s", [int(path.rsplit("/", 1)[1])])
            row = cursor.fetchone()
            if row is None:
                return respond(start_response, "404 Not Found", {"error": {"code": 203, "message": "Item not found"}})
            return respond(start_response, "200 OK", {"data": row})
        if method == "GET" and path == "/_/items/articles" and "filter[status][eq]" in query:
            cursor.execute(
                "SELECT id, title, status, published_on FROM articles WHERE status = %s "
                "ORDER BY published_on DESC NULLS LAST, id LIMIT 100",
                [query["filter[status][eq]"][0]],
            )
            return respond(start_response, "200 OK", {"data": cursor.fetchall()})
        if method == "GET" and path == "/_/items/articles":
            cursor.execute("SELECT * FROM articles ORDER BY id LIMIT 100")
            articles = cursor.fetchall()
            ids = list({row["author"] for row in articles if row["author"] is not None})
            cursor.execute("SELECT * FROM authors WHERE id = ANY(%s)", [ids])
            authors = {row["id"]: row for row in cursor.fetchall()}
            for row in articles:
                row["author"] = authors.get(row["author"])
            return respond(start_response, "200 OK", {"data": articles})
        if method == "POST" and path == "/_/items/articles":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            item = json.loads(environ["wsgi.input"].read(length) or b"{}")
            cursor.execute(
                "INSERT INTO articles (status, title, body, author, published_on, rating) "
                "VALUES (%s, %s, %s, %s, %s, %s) RETURNING *",
                [
                    item.get("status", "draft"),
                    item.get("title"),
                    item.get("body"),
                    item.get("author"),
                    item.get("published_on"),
                    item.get("rating"),
                ],
            )
            return respond(start_response, "200 OK", {"data": cursor.fetchone()})
    return respond(start_response, "404 Not Found", {"error": {"code": 1, "message": "Not Found"}})
