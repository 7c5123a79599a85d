/**
 * For migrations that fill a read model's new columns from the log: when `condition` holds
 * (rows the log in this database could not fill, i.e. the log is in EventStoreDB), the read
 * model is emptied and its checkpoint set back to the start, and the projector rebuilds it from
 * the log when it starts. Reads wait for it like for any projection behind a caller's write.
 */
export function refillFromLogWhen(condition: string, table: string, projection: string): string {
  return `do $$ begin
      if ${condition} then
        truncate ${table};
        update projection_checkpoints set position = 0, last_event_at = null, error = null, error_position = null
         where name = '${projection}';
      end if;
    end $$`;
}
