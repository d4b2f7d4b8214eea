import assert from 'node:assert/strict';
import { gql } from './service.ts';

export const CREATE_TRIGGER = `mutation($input: CreateTriggerInput!) {
  createTrigger(input: $input) { secret trigger { id url name agent signatureScheme enabled } }
}`;

export async function createTrigger(url: string, key: string, input: Record<string, unknown>): Promise<{ id: string; url: string; secret: string }> {
  const r = await gql(url, key, CREATE_TRIGGER, { input: { agent: 'code-review', inputs: [], ...input } });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  const { trigger, secret } = r.data!.createTrigger;
  return { id: trigger.id, url: `${url}/hooks/${trigger.id}`, secret };
}
