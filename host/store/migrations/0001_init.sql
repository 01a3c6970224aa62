-- 0001_init creates every table the host keeps.
--
-- The SQL is kept portable between SQLite and PostgreSQL: plain column types,
-- no WITHOUT ROWID, no AUTOINCREMENT. Conventions:
--   * calendar dates are TEXT 'YYYY-MM-DD' (local to the brand's time zone);
--   * instants are TEXT in UTC, fixed width with nanoseconds
--     ('2006-01-02T15:04:05.000000000Z'), so text order is time order;
--   * booleans are INTEGER 0 or 1; JSON documents are TEXT.
-- Tables that are not datasets (segments, push_queue, …) carry no foreign
-- keys to the dataset tables because Replace swaps the datasets wholesale.

-- Datasets, in dependency order.

CREATE TABLE stores (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_en     TEXT    NOT NULL,
    district    TEXT    NOT NULL,
    district_en TEXT    NOT NULL,
    area        TEXT    NOT NULL,
    lat         REAL    NOT NULL,
    lon         REAL    NOT NULL,
    opened_on   TEXT    NOT NULL
);
CREATE INDEX stores_district ON stores (district);

CREATE TABLE products (
    id               TEXT    NOT NULL PRIMARY KEY,
    name             TEXT    NOT NULL,
    name_en          TEXT    NOT NULL,
    category         TEXT    NOT NULL,
    tags             TEXT    NOT NULL, -- JSON array of strings
    price            INTEGER NOT NULL,
    shelf_life_hours INTEGER NOT NULL,
    allergens        TEXT    NOT NULL  -- JSON array of strings
);
CREATE INDEX products_category ON products (category);

CREATE TABLE customers (
    id            TEXT NOT NULL PRIMARY KEY,
    gender        TEXT NOT NULL,
    age_band      TEXT NOT NULL,
    joined_on     TEXT NOT NULL,
    home_store_id TEXT NOT NULL -- may be empty for imported members, so no foreign key
);
CREATE INDEX customers_home_store ON customers (home_store_id);

CREATE TABLE production (
    store_id   TEXT    NOT NULL REFERENCES stores (id),
    product_id TEXT    NOT NULL REFERENCES products (id),
    date       TEXT    NOT NULL,
    quantity   INTEGER NOT NULL,
    PRIMARY KEY (store_id, product_id, date)
);
CREATE INDEX production_date ON production (date);
CREATE INDEX production_product ON production (product_id, date);

CREATE TABLE sales (
    store_id   TEXT    NOT NULL REFERENCES stores (id),
    product_id TEXT    NOT NULL REFERENCES products (id),
    date       TEXT    NOT NULL,
    quantity   INTEGER NOT NULL,
    price      INTEGER NOT NULL,
    revenue    INTEGER NOT NULL,
    promotion  INTEGER NOT NULL, -- 0 or 1
    PRIMARY KEY (store_id, product_id, date)
);
CREATE INDEX sales_date ON sales (date);
CREATE INDEX sales_product ON sales (product_id, date);

CREATE TABLE stock_snapshots (
    store_id   TEXT    NOT NULL REFERENCES stores (id),
    product_id TEXT    NOT NULL REFERENCES products (id),
    at         TEXT    NOT NULL, -- UTC instant
    quantity   INTEGER NOT NULL,
    PRIMARY KEY (store_id, product_id, at)
);
CREATE INDEX stock_snapshots_at ON stock_snapshots (at);
CREATE INDEX stock_snapshots_product ON stock_snapshots (product_id, at);

CREATE TABLE weather (
    district      TEXT    NOT NULL,
    date          TEXT    NOT NULL,
    temp_max      REAL    NOT NULL,
    temp_min      REAL    NOT NULL,
    precipitation REAL    NOT NULL,
    forecast      INTEGER NOT NULL, -- 0 or 1
    PRIMARY KEY (district, date)
);
CREATE INDEX weather_date ON weather (date);

CREATE TABLE orders (
    id          TEXT    NOT NULL PRIMARY KEY,
    customer_id TEXT    NOT NULL REFERENCES customers (id),
    store_id    TEXT    NOT NULL REFERENCES stores (id),
    at          TEXT    NOT NULL, -- UTC instant
    total       INTEGER NOT NULL
);
CREATE INDEX orders_at ON orders (at, id);
CREATE INDEX orders_customer ON orders (customer_id, at);
CREATE INDEX orders_store ON orders (store_id, at);

CREATE TABLE order_items (
    order_id   TEXT    NOT NULL REFERENCES orders (id),
    line       INTEGER NOT NULL, -- position in the loaded data; keeps item order stable
    product_id TEXT    NOT NULL REFERENCES products (id),
    quantity   INTEGER NOT NULL,
    price      INTEGER NOT NULL,
    PRIMARY KEY (order_id, line)
);
CREATE INDEX order_items_product ON order_items (product_id);

CREATE TABLE intraday_shares (
    store_id TEXT    NOT NULL REFERENCES stores (id),
    category TEXT    NOT NULL,
    hour     INTEGER NOT NULL,
    share    REAL    NOT NULL,
    PRIMARY KEY (store_id, category, hour)
);

-- Host state.

CREATE TABLE segments (
    customer_id   TEXT NOT NULL PRIMARY KEY,
    segment       TEXT NOT NULL,
    probabilities TEXT NOT NULL, -- JSON object: segment → probability
    updated_at    TEXT NOT NULL
);
CREATE INDEX segments_segment ON segments (segment);

CREATE TABLE push_queue (
    id         INTEGER NOT NULL PRIMARY KEY,
    store_id   TEXT    NOT NULL,
    product_id TEXT    NOT NULL,
    date       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    segment    TEXT    NOT NULL,
    payload    TEXT    NOT NULL, -- JSON
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    UNIQUE (store_id, product_id, date)
);
CREATE INDEX push_queue_status ON push_queue (status, created_at);

CREATE TABLE conversations (
    id         TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NOT NULL, -- "user" is reserved in PostgreSQL
    channel    TEXT NOT NULL,
    title      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX conversations_user ON conversations (user_id, updated_at);

CREATE TABLE messages (
    id              INTEGER NOT NULL PRIMARY KEY,
    conversation_id TEXT    NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL,
    content         TEXT    NOT NULL,
    intent          TEXT    NOT NULL,
    payload         TEXT, -- JSON, NULL when the message has none
    created_at      TEXT    NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at, id);

CREATE TABLE scheduled_runs (
    id          INTEGER NOT NULL PRIMARY KEY,
    job         TEXT    NOT NULL,
    started_at  TEXT    NOT NULL,
    finished_at TEXT, -- NULL while running
    status      TEXT    NOT NULL,
    output      TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX scheduled_runs_job ON scheduled_runs (job, started_at);

CREATE TABLE audit_log (
    id         INTEGER NOT NULL PRIMARY KEY,
    at         TEXT    NOT NULL,
    request_id TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    args       TEXT, -- JSON, NULL when the call had none
    outcome    TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, id);

CREATE TABLE artifacts (
    plugin     TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    metadata   TEXT, -- JSON, NULL when none
    data       BLOB    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (plugin, key, version)
);
