-- A tenant's writer finds, in its own stream, the events of one intent (accepted, its hold,
-- routed, refused, settled, canceled): intents are records it may forget and rebuild exactly
-- from the log, like holds. Partial: only events that carry an intent id.
create index events_by_intent_id on events (stream_id, (data->>'intent_id')) where data ? 'intent_id';
