-- The webhook inbox: one row per accepted delivery. Statements are named by `-- name:` lines and
-- loaded by pipelines/webhooks/inbox.py; every value is a bound parameter.
--
-- status: pending (waiting for webhook_refresh), claimed (a run is re-reading it; the lease in
-- claimed_until lets a crashed run's events be claimed again), done, ignored (not ours to act on).
-- AUTOINCREMENT keeps ids strictly increasing even after pruning: the sensor's cursor relies on it.

-- name: schema
CREATE TABLE IF NOT EXISTS events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at      REAL    NOT NULL,
    body_sha256      TEXT    NOT NULL,
    delivery_id      TEXT    UNIQUE,
    resource_id      TEXT    NOT NULL,
    resource_id_type TEXT    NOT NULL,
    event_type       TEXT    NOT NULL,
    stream           TEXT,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'claimed', 'done', 'ignored')),
    duplicates       INTEGER NOT NULL DEFAULT 0,
    claimed_until    REAL,
    done_at          REAL
);
-- A body waiting to be acted on is stored once. Once claimed or done, the same body is a new change
-- (Healthie sends identical bodies for two updates of one resource), so it is accepted again.
CREATE UNIQUE INDEX IF NOT EXISTS events_waiting_body ON events (body_sha256)
    WHERE status IN ('pending', 'ignored');
CREATE INDEX IF NOT EXISTS events_status ON events (status, id);
CREATE INDEX IF NOT EXISTS events_resource ON events (resource_id, stream);
-- Recovery from Healthie's sentWebhooks (pipelines/refresh/recovery.py). The cursor is the newest
-- SentWebhook.created_at read (epoch seconds; set to the time the inbox was first opened, so the first
-- read starts there): each read restarts a fixed overlap before it. The sent webhooks already decided
-- are remembered until they fall out of that overlap, so a re-read overlap costs no re-read record.
CREATE TABLE IF NOT EXISTS sent_webhook_cursor (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    watermark  REAL    NOT NULL,
    updated_at REAL    NOT NULL
);
CREATE TABLE IF NOT EXISTS sent_webhooks_seen (
    sent_webhook_id TEXT PRIMARY KEY,
    created_at      REAL NOT NULL,
    outcome         TEXT NOT NULL
) WITHOUT ROWID;

-- name: cursor
SELECT watermark FROM sent_webhook_cursor WHERE id = 1;

-- name: init_cursor
INSERT OR IGNORE INTO sent_webhook_cursor (id, watermark, updated_at) VALUES (1, :now, :now);

-- name: advance_cursor
UPDATE sent_webhook_cursor SET watermark = max(watermark, :watermark), updated_at = :now WHERE id = 1;

-- name: sent_seen
SELECT outcome FROM sent_webhooks_seen WHERE sent_webhook_id = :id;

-- name: remember_sent
INSERT OR IGNORE INTO sent_webhooks_seen (sent_webhook_id, created_at, outcome)
VALUES (:id, :created_at, :outcome);

-- name: forget_sent
DELETE FROM sent_webhooks_seen WHERE created_at < :before;

-- name: received_since
-- The delivery a 2xx SentWebhook reports: the same event for the same resource, received since it was sent.
SELECT 1 FROM events
WHERE resource_id = :resource_id
  AND lower(resource_id_type) = lower(:resource_id_type)
  AND event_type = :event_type
  AND received_at >= :since
LIMIT 1;

-- name: waiting_for
-- An event for the resource that the next drain will re-read (so after any change sent before now).
SELECT 1 FROM events
WHERE resource_id = :resource_id
  AND stream = :stream
  AND (status = 'pending' OR (status = 'claimed' AND claimed_until < :now))
LIMIT 1;

-- name: insert
INSERT OR IGNORE INTO events
    (received_at, body_sha256, delivery_id, resource_id, resource_id_type, event_type, stream, status)
VALUES
    (:received_at, :body_sha256, :delivery_id, :resource_id, :resource_id_type, :event_type, :stream, :status);

-- name: find_duplicate
SELECT id, status FROM events
WHERE (:delivery_id IS NOT NULL AND delivery_id = :delivery_id)
   OR (body_sha256 = :body_sha256 AND status IN ('pending', 'ignored'))
ORDER BY id
LIMIT 1;

-- name: count_duplicate
UPDATE events SET duplicates = duplicates + 1 WHERE id = :id;

-- name: pending
SELECT count(*) AS n, max(id) AS max_id, min(received_at) AS oldest
FROM events
WHERE status IN ('pending', 'claimed');

-- name: pending_by_stream
SELECT stream, count(*) AS n, max(id) AS max_id, min(received_at) AS oldest
FROM events
WHERE status IN ('pending', 'claimed') AND stream IS NOT NULL
GROUP BY stream;

-- name: claim
UPDATE events
SET status = 'claimed', claimed_until = :lease_until
WHERE id <= :upto
  AND (status = 'pending' OR (status = 'claimed' AND claimed_until < :now))
RETURNING id, resource_id, resource_id_type, event_type, stream;

-- name: mark_done
UPDATE events
SET status = 'done', done_at = :now, claimed_until = NULL
WHERE status = 'claimed' AND id IN (SELECT value FROM json_each(:ids));

-- name: release
-- Expire the lease rather than flip back to pending: a pending twin of the same body may exist now.
UPDATE events
SET claimed_until = 0
WHERE status = 'claimed' AND id IN (SELECT value FROM json_each(:ids));

-- name: stats
SELECT status, count(*) AS n, coalesce(sum(duplicates), 0) AS duplicates
FROM events
GROUP BY status;

-- name: prune_done
DELETE FROM events WHERE status = 'done' AND done_at < :before;
