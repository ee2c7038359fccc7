"""Two real gunicorn servers on one project: each keeps callers' credentials and the schema
version between requests, and a change made through the other is honoured as soon as its news
arrives (apps.projects.news): PostgreSQL LISTEN/NOTIFY, Redis pub/sub (the MariaDB project here),
a shared file (SQLite). A change made by SQL alone waits for `manage.py refresh_project`; a
channel that breaks makes the server read per request again, never serve what it kept.

The `engine` parameter comes from the conftest's engine matrix (an unreachable server skips its
engine with the reason, and fails the run under CI=true)."""

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import envelope_code
from tests.live import manage, two_servers, wait_for

REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "news password 1"
# How long the news may take to arrive (a bound on a hang, not a measurement).
NEWS_SECONDS = 20


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def run_sql(engine: str, url: str, statement: str, params=()) -> list:
    """A statement on the project database as an operator's console would run it."""
    from apps.projects.registry import database_settings

    config = database_settings(url)
    if engine == "sqlite":
        with sqlite3.connect(config["NAME"]) as connection:
            return connection.execute(statement.replace("%s", "?"), params).fetchall()
    if engine == "postgres":
        import psycopg

        with psycopg.connect(
            dbname=config["NAME"], host=config["HOST"], port=config["PORT"] or None, user=config["USER"] or None
        ) as connection:
            cursor = connection.execute(statement, params)
            return cursor.fetchall() if cursor.description else []
    import MySQLdb

    connection = MySQLdb.connect(
        host=config["HOST"] or "127.0.0.1",
        port=int(config["PORT"] or 3306),
        user=config["USER"] or "root",
        database=config["NAME"],
    )
    try:
        cursor = connection.cursor()
        cursor.execute(statement, params)
        rows = list(cursor.fetchall()) if cursor.description else []
        connection.commit()
        return rows
    finally:
        connection.close()


def break_channel(engine: str, url: str) -> None:
    """Cut the servers' news channels the way an outage would."""
    if engine == "postgres":
        from apps.projects.registry import database_settings

        name = database_settings(url)["NAME"]
        query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'directus-news' AND datname = %s"
        run_sql(
            engine,
            url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'directus-news' AND datname = %s",
            [name],
        )
        wait_for(lambda: run_sql(engine, url, query, [name])[0][0] == 0, "the listeners ending", NEWS_SECONDS)
    elif engine == "mariadb":
        import redis

        redis.Redis.from_url(REDIS_URL).execute_command("CLIENT", "KILL", "TYPE", "pubsub")
    else:
        from apps.projects.registry import database_settings

        news_file = Path(database_settings(url)["NAME"] + "-news")
        news_file.unlink()
        news_file.mkdir()  # in the way: the file can be neither read nor written


def test_changes_through_one_server_are_honoured_by_the_other(engine):
    if engine == "mariadb" and not redis_reachable():
        pytest.skip(f"the MariaDB project's channel is Redis, not reachable at {REDIS_URL}")
    env = {"DIRECTUS_COUNT_STATEMENTS": "1"}
    if engine == "mariadb":
        env["DIRECTUS_REDIS_URL"] = REDIS_URL
    with two_servers(engine, "news", **env) as served:
        key, url, env, a, b = served.key, served.url, served.env, served.a, served.b

        # A reader role, a collection it reads, a user of that role with a static token.
        status, body = a.call("POST", f"/{key}/roles", {"name": "Readers"})
        assert status == 200, body
        role = body["data"]["id"]
        fields = [
            {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
            {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100},
        ]
        assert a.call("POST", f"/{key}/collections", {"collection": "notes", "fields": fields})[0] == 200
        status, body = a.call("POST", f"/{key}/permissions", {"collection": "notes", "role": role, "read": "full"})
        assert status == 200, body
        permission = body["data"]["id"]
        assert a.call("POST", f"/{key}/items/notes", {"title": "One"})[0] == 200
        user = {
            "email": "reader@example.com",
            "password": PASSWORD,
            "role": role,
            "status": "active",
            "token": "reader-token-1",
        }
        status, body = a.call("POST", f"/{key}/users", user)
        assert status == 200, body
        user_id = body["data"]["id"]

        def b_status(path: str, token: str) -> int:
            return b.call("GET", f"/{key}{path}", token=token)[0]

        def b_refuses(path: str, token: str, status: int) -> None:
            wait_for(lambda: b_status(path, token) == status, f"B answering {status} to {path}", NEWS_SECONDS)

        # B keeps what it read: a read by id is one statement (the item).
        assert b_status("/items/notes/1", "reader-token-1") == 200
        _, headers, body = b.exchange("GET", f"/{key}/items/notes/1", token="reader-token-1")
        assert body["data"]["title"] == "One"
        assert headers["X-Directus-Statements"] == "1"

        # A change by SQL alone is not news: B serves what it kept until an operator says so.
        run_sql(engine, url, "UPDATE directus_users SET status = 'suspended' WHERE id = %s", [user_id])
        assert b_status("/items/notes/1", "reader-token-1") == 200
        manage(env, "refresh_project", key)
        b_refuses("/items/notes/1", "reader-token-1", 401)
        run_sql(engine, url, "UPDATE directus_users SET status = 'active' WHERE id = %s", [user_id])
        manage(env, "refresh_project", key)
        b_refuses("/items/notes/1", "reader-token-1", 200)

        # Suspended through A.
        assert a.call("PATCH", f"/{key}/users/{user_id}", {"status": "suspended"})[0] == 200
        b_refuses("/users/me", "reader-token-1", 401)
        status, body = b.call("GET", f"/{key}/users/me", token="reader-token-1")
        assert envelope_code(body) == 103, body
        assert a.call("PATCH", f"/{key}/users/{user_id}", {"status": "active"})[0] == 200
        b_refuses("/users/me", "reader-token-1", 200)

        # The static token replaced through A: the old one is refused.
        assert a.call("PATCH", f"/{key}/users/{user_id}", {"token": "reader-token-2"})[0] == 200
        b_refuses("/users/me", "reader-token-1", 401)
        assert b_status("/users/me", "reader-token-2") == 200

        # A login's token, logged out through A.
        credentials = {"email": "reader@example.com", "password": PASSWORD}
        status, body = a.call("POST", f"/{key}/auth/authenticate", credentials, token=None)
        assert status == 200, body
        jwt = body["data"]["token"]
        assert b_status("/users/me", jwt) == 200
        assert b_status("/users/me", jwt) == 200
        assert a.call("POST", f"/{key}/auth/logout", {}, token=jwt)[0] in (200, 204)
        b_refuses("/users/me", jwt, 401)

        # The password changed through A: the sessions it opened end (deviation 21).
        status, body = a.call("POST", f"/{key}/auth/authenticate", credentials, token=None)
        jwt = body["data"]["token"]
        assert b_status("/users/me", jwt) == 200
        assert a.call("PATCH", f"/{key}/users/{user_id}", {"password": "news password 2"})[0] == 200
        b_refuses("/users/me", jwt, 401)

        # Moved to a role that may not read notes, and back.
        status, body = a.call("POST", f"/{key}/roles", {"name": "Others"})
        assert status == 200, body
        assert b_status("/items/notes", "reader-token-2") == 200
        assert a.call("PATCH", f"/{key}/users/{user_id}", {"role": body["data"]["id"]})[0] == 200
        b_refuses("/items/notes", "reader-token-2", 403)
        assert a.call("PATCH", f"/{key}/users/{user_id}", {"role": role})[0] == 200
        b_refuses("/items/notes", "reader-token-2", 200)

        # A permission taken away through A.
        assert b_status("/items/notes", "reader-token-2") == 200
        assert a.call("PATCH", f"/{key}/permissions/{permission}", {"read": "none"})[0] == 200
        b_refuses("/items/notes", "reader-token-2", 403)
        assert a.call("PATCH", f"/{key}/permissions/{permission}", {"read": "full"})[0] == 200
        b_refuses("/items/notes", "reader-token-2", 200)

        # A permission row changed by SQL: kept until an operator says so, like the user row.
        read = "`read`" if engine == "mariadb" else '"read"'
        run_sql(engine, url, f"UPDATE directus_permissions SET {read} = 'none' WHERE id = %s", [permission])
        assert b_status("/items/notes", "reader-token-2") == 200
        manage(env, "refresh_project", key)
        b_refuses("/items/notes", "reader-token-2", 403)
        run_sql(engine, url, f"UPDATE directus_permissions SET {read} = 'full' WHERE id = %s", [permission])
        manage(env, "refresh_project", key)
        b_refuses("/items/notes", "reader-token-2", 200)

        # The channel breaks: B reads per request, so a change that B can no longer hear of
        # is still honoured on B's very next request.
        break_channel(engine, url)
        assert a.call("PATCH", f"/{key}/users/{user_id}", {"status": "suspended"})[0] == 200
        assert b_status("/users/me", "reader-token-2") == 401
        assert a.call("PATCH", f"/{key}/users/{user_id}", {"status": "active"})[0] == 200
        assert b_status("/users/me", "reader-token-2") == 200
