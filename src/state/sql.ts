// Every SQL statement aflo-tail runs, in one place.

export const SCHEMA_V1 = `
CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  dev TEXT NOT NULL,
  ino TEXT NOT NULL,
  head_len INTEGER NOT NULL,
  head_hash TEXT NOT NULL,
  offset INTEGER NOT NULL,
  size INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX files_head ON files(head_hash);
CREATE TABLE segments (
  id INTEGER PRIMARY KEY,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  records BLOB NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX segments_last ON segments(last_seq);
CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  lo INTEGER NOT NULL,
  hi INTEGER NOT NULL,
  key TEXT NOT NULL,
  body BLOB NOT NULL,
  event_count INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX batches_lo ON batches(lo);
CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY,
  record TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  status INTEGER,
  reason TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE TABLE counters (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (scope, name)
) WITHOUT ROWID;
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT
) WITHOUT ROWID;
`;

/** Requests to the process that owns the state (dlq replay while a daemon runs), served in its own transactions. */
export const SCHEMA_V2 = `
CREATE TABLE requests (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  done_ms INTEGER,
  result INTEGER
);
`;

/**
 * Files carry marks (hashes of 1 KiB windows up to the checkpoint, JSON) and their first bytes (up to 1 KiB): a file
 * is resumed at a checkpoint only when it holds the same bytes, and a file still being copied is not started early.
 * `gz`: the compressed size of a gzip file read to its end (the record then names that file's device + inode).
 * `first_seen_ms`: when the file was first seen: the time of its entries that carry none (the same on a re-read).
 */
export const SCHEMA_V3 = `
ALTER TABLE files ADD COLUMN marks TEXT NOT NULL DEFAULT '[]';
ALTER TABLE files ADD COLUMN head BLOB;
ALTER TABLE files ADD COLUMN gz INTEGER;
ALTER TABLE files ADD COLUMN first_seen_ms INTEGER;
CREATE INDEX files_inode ON files(dev, ino);
CREATE INDEX files_head64 ON files(substr(head, 1, 64));
CREATE INDEX files_without_head ON files(head_len) WHERE head IS NULL;
`;

/** The sums each ledger row holds (by hour, or by day), and adding another row's to them. */
const LEDGER_SUMS = ['read_events INTEGER', 'read_value REAL', 'shipped_events INTEGER', 'shipped_value REAL', 'dead_events INTEGER', 'dead_value REAL']
  .map((c) => `${c} NOT NULL DEFAULT 0`).join(',\n  ');
const ADD_SUMS = ['read_events', 'read_value', 'shipped_events', 'shipped_value', 'dead_events', 'dead_value'].map((c) => `${c} = ${c} + excluded.${c}`).join(', ');

/**
 * The ledger (ledger/): per hour (of the events' meter time) and key, events and the sum of their values read into
 * the buffer, accepted by the backend and dead-lettered; keys are kept once in `ledger_keys`. Hours older than
 * AFLO_LEDGER_HOURLY_DAYS are summed into days (`ledger_days`): a year of them stays a few MB.
 */
export const SCHEMA_V4 = `
CREATE TABLE ledger_keys (
  id INTEGER PRIMARY KEY,
  meter TEXT NOT NULL,
  type TEXT NOT NULL,
  cache TEXT NOT NULL,
  business_unit_id TEXT NOT NULL,
  model TEXT NOT NULL,
  customer TEXT NOT NULL,
  UNIQUE (meter, type, cache, business_unit_id, model, customer)
);
CREATE TABLE ledger (
  hour_ms INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  ${LEDGER_SUMS},
  PRIMARY KEY (hour_ms, key_id)
) WITHOUT ROWID;
CREATE TABLE ledger_days (
  day_ms INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  ${LEDGER_SUMS},
  PRIMARY KEY (day_ms, key_id)
) WITHOUT ROWID;
`;

export const SQL = {
  ledgerKeyId: 'SELECT id FROM ledger_keys WHERE meter = ? AND type = ? AND cache = ? AND business_unit_id = ? AND model = ? AND customer = ?',
  insertLedgerKey: 'INSERT INTO ledger_keys (meter, type, cache, business_unit_id, model, customer) VALUES (?, ?, ?, ?, ?, ?)',
  addLedger: `INSERT INTO ledger (hour_ms, key_id, read_events, read_value, shipped_events, shipped_value, dead_events, dead_value)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hour_ms, key_id) DO UPDATE SET
    ${ADD_SUMS}`,
  ledgerRows: `SELECT l.hour_ms, 3600000 AS span_ms, k.meter, k.type, k.cache, k.business_unit_id, k.model, k.customer, l.read_events, l.read_value,
    l.shipped_events, l.shipped_value, l.dead_events, l.dead_value FROM ledger l JOIN ledger_keys k ON k.id = l.key_id
    WHERE l.hour_ms >= :from AND l.hour_ms < :to
    UNION ALL SELECT d.day_ms, 86400000, k.meter, k.type, k.cache, k.business_unit_id, k.model, k.customer, d.read_events, d.read_value,
    d.shipped_events, d.shipped_value, d.dead_events, d.dead_value FROM ledger_days d JOIN ledger_keys k ON k.id = d.key_id
    WHERE d.day_ms >= :from AND d.day_ms < :to ORDER BY 1`,
  /** Hours before :before summed into their days (added to what a day holds: late events roll up later). */
  rollUpLedger: `INSERT INTO ledger_days (day_ms, key_id, read_events, read_value, shipped_events, shipped_value, dead_events, dead_value)
    SELECT hour_ms / 86400000 * 86400000, key_id, sum(read_events), sum(read_value), sum(shipped_events), sum(shipped_value),
    sum(dead_events), sum(dead_value) FROM ledger WHERE hour_ms < :before GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (day_ms, key_id) DO UPDATE SET
    ${ADD_SUMS}`,
  dropLedgerHours: 'DELETE FROM ledger WHERE hour_ms < ?',
  dropLedgerDays: 'DELETE FROM ledger_days WHERE day_ms < ?',
  oldestLedgerHour: 'SELECT min(hour_ms) AS t FROM ledger',
  insertRequest: 'INSERT INTO requests (kind, created_ms) VALUES (?, ?)',
  openRequests: 'SELECT id, kind FROM requests WHERE done_ms IS NULL ORDER BY id',
  finishRequest: 'UPDATE requests SET done_ms = ?, result = ? WHERE id = ?',
  requestResult: 'SELECT done_ms, result FROM requests WHERE id = ?',
  insertSegment: 'INSERT INTO segments (first_seq, last_seq, records, created_ms) VALUES (?, ?, ?, ?)',
  addCounter: 'INSERT INTO counters (scope, name, value) VALUES (?, ?, ?) ON CONFLICT (scope, name) DO UPDATE SET value = value + excluded.value',
  counters: 'SELECT scope, name, value FROM counters',
  segmentsAfter: 'SELECT first_seq, records, created_ms FROM segments WHERE last_seq > ? ORDER BY first_seq',
  oldestSegment: 'SELECT created_ms FROM segments ORDER BY last_seq LIMIT 1',
  oldestBatch: 'SELECT min(created_ms) AS t FROM batches',
  dropSegments: 'DELETE FROM segments WHERE last_seq <= ?',
  insertBatch: 'INSERT INTO batches (lo, hi, key, body, event_count, created_ms) VALUES (?, ?, ?, ?, ?, ?)',
  pendingBatches: 'SELECT id, lo, hi, key, body, event_count, attempts FROM batches WHERE id NOT IN (SELECT value FROM json_each(?)) ORDER BY lo LIMIT ?',
  deleteBatch: 'DELETE FROM batches WHERE id = ?',
  batchFailed: 'UPDATE batches SET attempts = attempts + 1, last_error = ? WHERE id = ?',
  restartBackoff: 'UPDATE batches SET attempts = 0 WHERE attempts > 0',
  pendingBatchCount: 'SELECT count(*) AS n, coalesce(sum(event_count), 0) AS events FROM batches',
  insertDeadLetter: 'INSERT INTO dead_letters (record, time_ms, status, reason, created_ms) VALUES (?, ?, ?, ?, ?)',
  deadLetters: 'SELECT id, record, time_ms, status, reason, created_ms FROM dead_letters ORDER BY id',
  deleteDeadLetter: 'DELETE FROM dead_letters WHERE id = ?',
  deadLetterCount: 'SELECT count(*) AS n FROM dead_letters',
  filesWithHead: 'SELECT * FROM files WHERE head_hash = ?',
  filesByInode: 'SELECT * FROM files WHERE dev = ? AND ino = ?',
  shortFiles: `SELECT * FROM files WHERE substr(head, 1, 64) = substr(:head, 1, 64) AND head_len < :full AND head_len >= :min AND
    head = substr(:head, 1, head_len)`,
  shortFilesWithoutHead: 'SELECT * FROM files WHERE head IS NULL AND head_len < :full AND head_len >= :min AND head_len <= length(:head)',
  allFiles: 'SELECT * FROM files ORDER BY updated_ms DESC, id DESC',
  filesWithHeadPrefix: `SELECT * FROM files WHERE substr(head, 1, 64) = substr(:bytes, 1, 64) AND length(head) > length(:bytes) AND
    substr(head, 1, length(:bytes)) = :bytes LIMIT 1`,
  filesWithShortHeadPrefix: 'SELECT * FROM files WHERE length(head) > length(:bytes) AND substr(head, 1, length(:bytes)) = :bytes LIMIT 1',
  insertFile: `INSERT INTO files (path, dev, ino, head_len, head_hash, head, offset, size, marks, updated_ms, first_seen_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  updateFile: `UPDATE files SET path = ?, dev = ?, ino = ?, head_len = ?, head_hash = ?, head = ?, offset = ?, size = ?, marks = ?, updated_ms = ?,
    first_seen_ms = ? WHERE id = ?`,
  checkpoint: 'UPDATE files SET offset = ?, size = ?, marks = coalesce(?, marks), updated_ms = ? WHERE id = ?',
  updateHead: 'UPDATE files SET head_len = ?, head_hash = ?, head = ? WHERE id = ?',
  gzipRead: 'UPDATE files SET path = ?, dev = ?, ino = ?, gz = ?, updated_ms = ? WHERE id = ?',
  pruneFiles: 'DELETE FROM files WHERE updated_ms < ? AND id NOT IN (SELECT value FROM json_each(?))',
  getMeta: 'SELECT value FROM meta WHERE key = ?',
  setMeta: 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
} as const;
