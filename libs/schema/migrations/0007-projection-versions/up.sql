-- The version each live read model was built at, and its tables. A projection whose code
-- declares another version (or that has no row: a database built before versions) is rebuilt
-- from the log into shadow tables by the process that owns it, and swapped in with its row here
-- (libs/projection-runtime/src/versions.ts). Read models are never migrated by hand.
create table projection_versions (
  name text primary key,
  version integer not null check (version > 0),
  tables text[] not null,
  built_at timestamptz not null default now(),
  -- The log position the model stood at when it went live (0 when created empty).
  built_position numeric(39,0) not null
);
