-- The six foreign keys the hot paths write through become set-based: checked once per statement
-- over the statement's rows (a transition table) instead of one lookup per row. A 500-event publish
-- spent 42 % of its statement on the per-row checks (docs/benchmarks.md, "Publishing", eighth
-- session). What the keys gave is kept, under the keys' own names:
--   * a row naming a missing parent is refused: SQLSTATE 23503, the key's name as the constraint,
--     PostgreSQL's own message and detail;
--   * the parents a statement names are locked FOR KEY SHARE until its transaction ends, so a
--     concurrent delete of a parent waits for it and then deletes what it wrote (locking the
--     parents the same transaction inserted, which no other can see yet, measured no dearer than
--     telling them apart by xmin);
--   * deleting parents deletes their children (ON DELETE CASCADE), once per statement, at READ
--     COMMITTED (at REPEATABLE READ and above such a delete is refused: see read_committed below);
--   * ids never change: an UPDATE setting a parent's id or a child's key is refused (the keys said
--     ON UPDATE CASCADE, which nothing used), and so is TRUNCATE of a parent whose child has rows.
-- Each key's child trigger carries the key's definition as its arguments (child column, parent,
-- parent column, ON DELETE action), which test/db/schema-matches-prisma.test.ts reads where it
-- reads pg_constraint for the others; test/db/set-based-keys.test.ts shows each behaviour above.

CREATE FUNCTION pg_temp.set_based_key(child text, key text, parent text) RETURNS void LANGUAGE plpgsql AS $make$
DECLARE
  name text := format('%s_%s_fkey', child, key);
  -- The functions' statements have no parameters, so their plans are made once per session and
  -- kept until the tables' statistics change: one made while a table was small would scan the
  -- whole table for every statement once it has grown (measured: 8x the keys' cost at 40,000
  -- events). A statement's keys are found by index probes at any size, which these settings fix.
  -- The tables are the migrated schema's whatever the caller's search_path (a temporary table
  -- must not stand in for a parent).
  settings text := format('SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET search_path = %I, pg_temp',
    current_schema());
  -- A cascade or a TRUNCATE check reads the children with the statement's snapshot: at REPEATABLE
  -- READ and above, a child committed after the snapshot by a transaction that locked the parent
  -- would be missed. PostgreSQL's own cascade rechecks with a newer snapshot; here the delete is
  -- refused instead (the gateway deletes at READ COMMITTED only).
  read_committed text := $c$
      IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
          MESSAGE = format('%s on table "%s" runs at READ COMMITTED only (set-based foreign keys)', TG_OP, TG_TABLE_NAME);
      END IF;$c$;
BEGIN
  EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', child, name);

  -- %1$: the key's name, %2$: child, %3$: its column, %4$: parent, %5$: the settings. The check
  -- is the lock: the parents counted are the parents locked, in one statement (a parent committed
  -- between a lock and a separate check could pass it without being locked).
  EXECUTE format($f$
    CREATE FUNCTION %1$I() RETURNS trigger LANGUAGE plpgsql %5$s AS $body$
    DECLARE
      wanted bigint;
      found bigint;
      missing text;
    BEGIN
      WITH k AS (SELECT DISTINCT n.%3$I AS id FROM new_rows n WHERE n.%3$I IS NOT NULL)
      SELECT (SELECT count(*) FROM k), (SELECT count(*) FROM (SELECT 1 FROM %4$I p JOIN k ON p.id = k.id FOR KEY SHARE OF p) locked)
        INTO wanted, found;
      IF found < wanted THEN
        SELECT n.%3$I INTO missing FROM new_rows n
          WHERE n.%3$I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %4$I p WHERE p.id = n.%3$I) LIMIT 1;
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', CONSTRAINT = %1$L, TABLE = %2$L,
          MESSAGE = format('insert or update on table "%%s" violates foreign key constraint "%%s"', %2$L, %1$L),
          DETAIL = format('Key (%%s)=(%%s) is not present in table "%%s".', %3$L, coalesce(missing, 'a parent not found when locked'), %4$L);
      END IF;
      RETURN NULL;
    END $body$$f$, name, child, key, parent, settings);
  EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION %I(%L, %L, %L, %L)', name, child, name, key, parent, 'id', 'c');

  EXECUTE format($f$
    CREATE FUNCTION %1$I() RETURNS trigger LANGUAGE plpgsql %4$s AS $body$
    BEGIN%5$s
      DELETE FROM %2$I c WHERE c.%3$I IN (SELECT o.id FROM old_rows o);
      RETURN NULL;
    END $body$$f$, name || '_cascade', child, key, settings, read_committed);
  EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()',
    name, parent, name || '_cascade');

  -- Per statement, not per row: a row trigger of any kind makes every UPDATE of the table lock
  -- each row first. So an UPDATE that names the key (or the parent's id) is refused whatever it sets.
  EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OF %I ON %I FOR EACH STATEMENT EXECUTE FUNCTION set_based_key_refuse(%L)',
    name || '_key', key, child, name);
  EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OF id ON %I FOR EACH STATEMENT EXECUTE FUNCTION set_based_key_refuse(%L)',
    name || '_key', parent, name);

  EXECUTE format($f$
    CREATE FUNCTION %1$I() RETURNS trigger LANGUAGE plpgsql %4$s AS $body$
    BEGIN%5$s
      IF EXISTS (SELECT 1 FROM %2$I) THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported', CONSTRAINT = %3$L,
          MESSAGE = format('cannot truncate table "%%s": rows of "%%s" reference it (%%s)', TG_TABLE_NAME, %2$L, %3$L);
      END IF;
      RETURN NULL;
    END $body$$f$, name || '_truncate', child, name, settings, read_committed);
  EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION %I()', name || '_truncate', parent, name || '_truncate');
END $make$;

-- Shared by every key: it runs only for an UPDATE that sets a key or an id, which is always refused.
CREATE FUNCTION set_based_key_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_ARGV[0], TABLE = TG_TABLE_NAME,
    MESSAGE = format('update on table "%s" sets a key of foreign key constraint "%s": ids never change', TG_TABLE_NAME, TG_ARGV[0]);
END $$;

SELECT pg_temp.set_based_key('event', 'workspace_id', 'workspace');
SELECT pg_temp.set_based_key('outbound_delivery', 'event_id', 'event');
SELECT pg_temp.set_based_key('outbound_delivery', 'subscription_id', 'webhook_subscription');
SELECT pg_temp.set_based_key('session', 'workspace_id', 'workspace');
SELECT pg_temp.set_based_key('inbound_delivery', 'trigger_id', 'trigger');
SELECT pg_temp.set_based_key('inbound_message', 'trigger_id', 'trigger');

DROP FUNCTION pg_temp.set_based_key(text, text, text);
