-- Public ids minted inside multi-row statements (fan-out), in the same format as src/ids.ts:
-- prefix, "_", 10 characters of millisecond time and 16 random ones (Crockford base32, lower case).
CREATE FUNCTION "gateway_id"(prefix text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  alphabet constant text := '0123456789abcdefghjkmnpqrstvwxyz';
  t bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
  r bytea := uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid());
  result text := '';
BEGIN
  FOR i IN 1..10 LOOP
    result := substr(alphabet, (t % 32)::int + 1, 1) || result;
    t := t / 32;
  END LOOP;
  -- Bytes 0-5 and 16-25 of two v4 UUIDs avoid their fixed version and variant bits.
  FOR i IN 0..5 LOOP
    result := result || substr(alphabet, get_byte(r, i) % 32 + 1, 1);
  END LOOP;
  FOR i IN 16..25 LOOP
    result := result || substr(alphabet, get_byte(r, i) % 32 + 1, 1);
  END LOOP;
  RETURN prefix || '_' || result;
END;
$$;

-- Every workspace has its audit chain head from the start, so appends never need to create it.
INSERT INTO "audit_chain" ("workspace_id", "last_seq", "last_hash", "checkpoint_seq", "checkpoint_hash")
SELECT "id", 0, repeat('0', 64), 0, repeat('0', 64) FROM "workspace"
ON CONFLICT DO NOTHING;
