-- Every change that decides which subscriptions an event fans out to (status, event types, filter;
-- a new or deleted subscription) is announced on the gateway's LISTEN/NOTIFY channel as
-- `subscription.changed`, whatever made it (API, delivery worker, SQL): each replica drops that
-- workspace's cached subscription filters (src/events/subscription-filters.ts). Like any NOTIFY, it
-- is delivered when the transaction commits, and not at all if it rolls back. Updates of the other
-- columns (last_success_at and failing_since on every recorded attempt) announce nothing.
CREATE FUNCTION "announce_subscription_change"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  workspace text;
  subscription text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    workspace := OLD.workspace_id;
    subscription := OLD.id;
  ELSE
    workspace := NEW.workspace_id;
    subscription := NEW.id;
  END IF;
  PERFORM pg_notify('webhook_gateway', json_build_object('topic', 'subscription.changed', 'workspaceId', workspace, 'data', json_build_object('id', subscription))::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "webhook_subscription_changed" AFTER UPDATE ON "webhook_subscription"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.events IS DISTINCT FROM NEW.events
                     OR OLD.filter IS DISTINCT FROM NEW.filter OR OLD.workspace_id IS DISTINCT FROM NEW.workspace_id)
  EXECUTE FUNCTION "announce_subscription_change"();

CREATE TRIGGER "webhook_subscription_added_or_removed" AFTER INSERT OR DELETE ON "webhook_subscription"
  FOR EACH ROW EXECUTE FUNCTION "announce_subscription_change"();
