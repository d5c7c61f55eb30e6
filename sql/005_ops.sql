-- 005_ops.sql: indexes for the reports of spec 4.11 (branch ops).
-- /report/sales reads pays by payment time; the index covers every column
-- the report needs from pays, so a year's range is an index range scan.
CREATE INDEX IF NOT EXISTS idx_report_paid ON pays (paid_at, status, method, cashier_id, oid, amount);
-- /audit/list by actor is served by idx_actor (actor, at); by time by idx_at.
-- /report/occupancy: screenings by idx_start, sold tickets by
-- idx_screening_status (tickets (screening_id, status), from 003_pay.sql).
