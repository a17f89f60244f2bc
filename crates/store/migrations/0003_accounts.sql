-- Accounts, sessions, API tokens and the audit log. Times are Unix seconds (UTC).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,                 -- argon2id PHC string
    role          TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'enterprise')),
    enterprise_id INTEGER,                       -- the enterprise an 'enterprise' user acts for
    disabled      INTEGER NOT NULL DEFAULT 0,
    demo_password INTEGER NOT NULL DEFAULT 0,    -- still the password the demo printed
    created_at    INTEGER NOT NULL,
    CHECK ((role = 'enterprise') = (enterprise_id IS NOT NULL))
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,                 -- SHA-256 of the cookie value
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    address    TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,             -- SHA-256 of the token; the token itself is shown once
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,                   -- username, or who ran the command line
    user_id     INTEGER,
    address     TEXT NOT NULL,                   -- client address, or 'local' for the command line
    action      TEXT NOT NULL,                   -- create, update, delete, import, login, ...
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
