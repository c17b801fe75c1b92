-- The dispatcher that holds a message's lease. Every update after a send names it, so a
-- dispatcher whose lease ran out (and whose message another one took over) changes nothing.
ALTER TABLE outbox ADD COLUMN lease_owner text;
