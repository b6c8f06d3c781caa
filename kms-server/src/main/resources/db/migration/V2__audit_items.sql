-- A batch request is one audit record; what each of its items did is kept in the record, as a
-- JSON array of {operation, key, keyVersion, context, outcome, errorCode}, covered by its mac
-- (see AuditChain). NULL for every record that is not a batch's.
ALTER TABLE audit_log ADD COLUMN items TEXT;
