// Events (SPEC §13): the catalogue, each type's JSON Schema and a sample made from it.
import { request } from '../api.ts';
import { graphql } from '../gql/gql.ts';
import { ErrorText, json, useLoad } from '../ui.tsx';

const CatalogQuery = graphql(`query ConsoleEventCatalog { eventCatalog { type description schema } }`);

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[]; const?: unknown; examples?: unknown[]; format?: string };

/** A value that fits `schema`: its example, const or first enum value, else one of its type. */
export function sampleOf(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return null;
  if (schema.examples?.length) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sampleOf(v, depth + 1)]));
    case 'array':
      return [sampleOf(schema.items, depth + 1)];
    case 'string':
      return schema.format === 'date-time' ? new Date(0).toISOString() : 'string';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

export function EventsPage() {
  const { data, error } = useLoad(() => request(CatalogQuery), 'catalog');
  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Events</h1>
      <p className="hint">Every event type subscribers can receive. The data of each delivery fits its JSON Schema.</p>
      <ErrorText error={error?.message} />
      {data?.eventCatalog.map((e) => (
        <details key={e.type} className="event-type">
          <summary><code>{e.type}</code> — {e.description}</summary>
          <div className="two-columns">
            <div><h3>JSON Schema</h3><pre>{json(e.schema)}</pre></div>
            <div><h3>Sample data</h3><pre>{json(sampleOf(e.schema as Schema))}</pre></div>
          </div>
        </details>
      ))}
    </section>
  );
}
