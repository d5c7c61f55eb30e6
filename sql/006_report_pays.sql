-- 006_report_pays.sql: /report/sales reads pays alone.
-- A pay carries its order's ticket count and film, written with the pay
-- (store_pay.c), so the sales of a year are one range scan of a covering
-- index over pays, without a primary-key lookup into orders per pay (which
-- kept a year of 500,000 pays above one second).
ALTER TABLE pays
  ADD COLUMN IF NOT EXISTS tickets INT NOT NULL DEFAULT 0 COMMENT 'the order''s ticket count',
  ADD COLUMN IF NOT EXISTS fid BIGINT NOT NULL DEFAULT 0 COMMENT 'the order''s film';
UPDATE pays p JOIN orders o ON o.id = p.oid SET p.tickets = o.quantity, p.fid = o.fid;
DROP INDEX IF EXISTS idx_report_paid ON pays;
CREATE INDEX IF NOT EXISTS idx_report_sales ON pays (paid_at, status, method, cashier_id, fid, tickets, amount);
