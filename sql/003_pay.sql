-- 003_pay: refunds (online through the payment provider, cash or card at
-- the counter) and what the payment module looks rows up by.

-- One row per refund. status 0: still to be sent to the provider (retried
-- in the background), 1: done. shift_id: the shift whose drawer paid cash
-- back (0: none).
CREATE TABLE IF NOT EXISTS refunds (
  id BIGINT NOT NULL PRIMARY KEY,
  order_id BIGINT NOT NULL,
  pay_id BIGINT NOT NULL DEFAULT 0,
  amount BIGINT NOT NULL,
  method VARCHAR(10) NOT NULL DEFAULT 'online' COMMENT 'cash, card, online',
  shift_id BIGINT NOT NULL DEFAULT 0,
  actor BIGINT NOT NULL DEFAULT 0 COMMENT 'admin who refunded, 0: the system',
  reason VARCHAR(2000) NOT NULL DEFAULT '',
  status TINYINT NOT NULL DEFAULT 0 COMMENT '0 pending, 1 done',
  refund_ref VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'the provider refundId',
  attempts INT NOT NULL DEFAULT 0,
  next_at BIGINT NOT NULL DEFAULT 0,
  create_time BIGINT NOT NULL,
  done_at BIGINT NOT NULL DEFAULT 0,
  UNIQUE KEY uniq_pay (pay_id),
  KEY idx_order (order_id),
  KEY idx_shift (shift_id),
  KEY idx_pending (status, next_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE INDEX IF NOT EXISTS idx_refund_pending ON orders (refund_pending);
CREATE INDEX IF NOT EXISTS idx_screening_status ON tickets (screening_id, status);
