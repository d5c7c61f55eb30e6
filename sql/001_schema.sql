-- 001_schema: every table the contract implies (spec/api.md sections 3-5).
-- Times are Unix seconds (BIGINT, UTC). Ids come from the distributed id
-- generator (53-bit), never AUTO_INCREMENT. Money is BIGINT minor units.
-- "live" columns are 1 while a row holds a unique resource and NULL after:
-- NULLs never collide in a UNIQUE key, so uniqueness holds among live rows.

CREATE TABLE IF NOT EXISTS users (
  id BIGINT NOT NULL PRIMARY KEY,
  name VARCHAR(100) NOT NULL DEFAULT '',
  gender TINYINT NOT NULL DEFAULT 0,
  mobile VARCHAR(20) NOT NULL,
  email VARCHAR(254) NOT NULL,
  password VARCHAR(200) NOT NULL,
  type TINYINT NOT NULL DEFAULT 0 COMMENT '0 customer, 1 admin, 2 cashier',
  tv INT NOT NULL DEFAULT 0 COMMENT 'token version: bumped on password change and disable',
  disabled TINYINT NOT NULL DEFAULT 0,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  UNIQUE KEY uniq_mobile (mobile),
  UNIQUE KEY uniq_email (email),
  KEY idx_type (type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS films (
  id BIGINT NOT NULL PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  `desc` VARCHAR(2000) NOT NULL DEFAULT '',
  director VARCHAR(100) NOT NULL DEFAULT '',
  screenwriter VARCHAR(100) NOT NULL DEFAULT '',
  length INT NOT NULL DEFAULT 0 COMMENT 'minutes',
  amount BIGINT NOT NULL DEFAULT 0 COMMENT 'default ticket price',
  stock BIGINT NOT NULL DEFAULT 0 COMMENT 'general-admission tickets left',
  is_select_seat TINYINT NOT NULL DEFAULT 1,
  genre VARCHAR(100) NOT NULL DEFAULT '',
  poster_url VARCHAR(500) NOT NULL DEFAULT '',
  removed TINYINT NOT NULL DEFAULT 0,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  KEY idx_genre (genre),
  KEY idx_removed (removed)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS halls (
  id BIGINT NOT NULL PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  layout TEXT NOT NULL COMMENT 'JSON array of row strings',
  seats INT NOT NULL,
  removed TINYINT NOT NULL DEFAULT 0,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS screenings (
  id BIGINT NOT NULL PRIMARY KEY,
  film_id BIGINT NOT NULL,
  hall_id BIGINT NOT NULL,
  start_at BIGINT NOT NULL,
  end_at BIGINT NOT NULL COMMENT 'start + film length',
  prices TEXT NOT NULL COMMENT 'JSON object: seat category -> price',
  discounts TEXT NOT NULL COMMENT 'JSON object: ticket type -> percent off',
  status TINYINT NOT NULL DEFAULT 0 COMMENT '0 scheduled, 1 cancelled',
  cancel_reason VARCHAR(2000) NOT NULL DEFAULT '',
  seats_total INT NOT NULL DEFAULT 0,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  KEY idx_hall_start (hall_id, start_at),
  KEY idx_film_start (film_id, start_at),
  KEY idx_start (start_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS orders (
  id BIGINT NOT NULL PRIMARY KEY,
  uid BIGINT NOT NULL,
  fid BIGINT NOT NULL,
  screening_id BIGINT NOT NULL DEFAULT 0 COMMENT '0: general admission',
  hold_id BIGINT NOT NULL DEFAULT 0,
  quantity INT NOT NULL DEFAULT 1,
  amount BIGINT NOT NULL,
  status TINYINT NOT NULL DEFAULT 4 COMMENT '0 unpaid 1 paid 2 invalid 3 refunded 4 pending',
  reason VARCHAR(32) NOT NULL DEFAULT '' COMMENT 'why invalid/refunded: cancelled, expired, late_payment, ...',
  cashier_id BIGINT NOT NULL DEFAULT 0,
  idempotency_key VARCHAR(100) NULL,
  expire_at BIGINT NOT NULL DEFAULT 0,
  paid_at BIGINT NOT NULL DEFAULT 0,
  refund_pending TINYINT NOT NULL DEFAULT 0,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  UNIQUE KEY uniq_idem (uid, idempotency_key),
  KEY idx_uid (uid, create_time),
  KEY idx_screening (screening_id),
  KEY idx_fid (fid),
  KEY idx_status_expire (status, expire_at),
  KEY idx_paid_at (paid_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per seat (or general-admission ticket) of an order. A row holds its
-- seat while live = 1; UNIQUE(screening_id, seat, live) is the database
-- invariant that no seat is sold twice, whatever the cache or the race.
CREATE TABLE IF NOT EXISTS tickets (
  id BIGINT NOT NULL PRIMARY KEY,
  order_id BIGINT NOT NULL,
  screening_id BIGINT NOT NULL DEFAULT 0,
  fid BIGINT NOT NULL,
  seat VARCHAR(4) NOT NULL DEFAULT '' COMMENT 'C7, or empty for general admission',
  ticket_type VARCHAR(20) NOT NULL DEFAULT 'adult',
  price BIGINT NOT NULL,
  code CHAR(12) NULL COMMENT 'issued when paid',
  status TINYINT NOT NULL DEFAULT 0 COMMENT '0 reserved, 1 issued, 2 void',
  live TINYINT NULL DEFAULT 1,
  used_at BIGINT NOT NULL DEFAULT 0,
  create_time BIGINT NOT NULL,
  UNIQUE KEY uniq_live_seat (screening_id, seat, live),
  UNIQUE KEY uniq_code (code),
  KEY idx_order (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS pays (
  id BIGINT NOT NULL PRIMARY KEY,
  uid BIGINT NOT NULL,
  oid BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  source TINYINT NOT NULL DEFAULT 1 COMMENT '0 counter, 1 online',
  method VARCHAR(10) NOT NULL DEFAULT 'online' COMMENT 'cash, card, online',
  status TINYINT NOT NULL DEFAULT 0 COMMENT '0 unpaid 1 paid 2 invalid 3 refunded',
  live TINYINT NULL DEFAULT 1 COMMENT 'one live pay per order',
  txn_id VARCHAR(64) NULL,
  tendered BIGINT NOT NULL DEFAULT 0,
  change_due BIGINT NOT NULL DEFAULT 0,
  cashier_id BIGINT NOT NULL DEFAULT 0,
  shift_id BIGINT NOT NULL DEFAULT 0,
  refund_id VARCHAR(64) NOT NULL DEFAULT '',
  paid_at BIGINT NOT NULL DEFAULT 0,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  UNIQUE KEY uniq_live_pay (oid, live),
  UNIQUE KEY uniq_txn (txn_id),
  KEY idx_uid (uid),
  KEY idx_shift (shift_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS comments (
  id BIGINT NOT NULL PRIMARY KEY,
  uid BIGINT NOT NULL,
  fid BIGINT NOT NULL,
  title VARCHAR(100) NOT NULL,
  content VARCHAR(2000) NOT NULL,
  rating TINYINT NULL COMMENT '1..5, optional',
  is_anonymous TINYINT NOT NULL DEFAULT 0,
  hidden TINYINT NOT NULL DEFAULT 0,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  KEY idx_fid (fid, hidden, create_time),
  KEY idx_uid (uid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS adverts (
  id BIGINT NOT NULL PRIMARY KEY,
  title VARCHAR(100) NOT NULL,
  content VARCHAR(2000) NOT NULL,
  is_com TINYINT NOT NULL DEFAULT 0 COMMENT '1 commercial, 0 announcement',
  status TINYINT NOT NULL DEFAULT 0 COMMENT '0 valid, 1 expired',
  film_id BIGINT NOT NULL DEFAULT 0,
  genre VARCHAR(100) NOT NULL DEFAULT '',
  start_at BIGINT NOT NULL DEFAULT 0 COMMENT '0: no start bound',
  end_at BIGINT NOT NULL DEFAULT 0 COMMENT '0: no end bound',
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  KEY idx_kind (is_com, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A cashier has at most one open shift: open = 1 while open, NULL when closed.
CREATE TABLE IF NOT EXISTS shifts (
  id BIGINT NOT NULL PRIMARY KEY,
  cashier_id BIGINT NOT NULL,
  opened_at BIGINT NOT NULL,
  closed_at BIGINT NOT NULL DEFAULT 0,
  float_amount BIGINT NOT NULL DEFAULT 0,
  counted BIGINT NOT NULL DEFAULT 0,
  expected_cash BIGINT NOT NULL DEFAULT 0,
  open TINYINT NULL DEFAULT 1,
  UNIQUE KEY uniq_open (cashier_id, open)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS audit (
  id BIGINT NOT NULL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor BIGINT NOT NULL,
  action VARCHAR(64) NOT NULL,
  target VARCHAR(100) NOT NULL DEFAULT '',
  detail VARCHAR(2000) NOT NULL DEFAULT '',
  KEY idx_at (at),
  KEY idx_actor (actor, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every Kafka eventId applied, written in the transaction that applied it.
CREATE TABLE IF NOT EXISTS applied_events (
  event_id VARCHAR(64) NOT NULL PRIMARY KEY,
  type VARCHAR(32) NOT NULL,
  applied_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
