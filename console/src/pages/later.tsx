// Deliveries and Audit log arrive with the console's part two; until then the page says so.
export function LaterPage({ title, what, api }: { title: string; what: string; api: string }) {
  return (
    <section aria-labelledby="later-title">
      <h1 id="later-title">{title}</h1>
      <p className="notice">{what} will appear here in the next console release.</p>
      <p>Until then the GraphQL API has it all: {api}.</p>
    </section>
  );
}
