-- The lookup index reads a partner's events in id order a page at a time (keyset pages: id > last
-- LIMIT n). This index serves each page straight in order, so reading a million events is linear,
-- not a sort of all remaining rows per page.
CREATE INDEX operator_events_by_partner_id ON operator_events (partner, id);
