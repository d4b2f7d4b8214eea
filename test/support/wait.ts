/** Polls `fn` until it returns something truthy, failing after `ms`: tests wait on conditions, not sleeps. */
export async function until<T>(fn: () => Promise<T | undefined | false | null> | T | undefined | false | null, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
