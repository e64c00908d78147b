-- A certificate's validity period is part of an operator's history (issue 13, item 5): each
-- statement records the first day of the period it states (valid_until already holds the last).
-- NULL: the partner did not state one (and every statement recorded before this column existed).
ALTER TABLE operator_events ADD COLUMN valid_from date;
