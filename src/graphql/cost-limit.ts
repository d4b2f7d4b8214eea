// GraphQL cost limit (SPEC §15): a validation rule that refuses, before any resolver runs, a
// document that asks for too much at once. The depth limit alone lets a shallow query fan out
// through aliases (2,000 copies of one field) or page sizes (nested connections of 100).
//
// The estimate is static: every field selection costs 1, each alias and each repeat counted, so a
// field asked for twice costs twice. A connection's `edges` (or `nodes`) count once per item of the
// page: `first` as written, the argument's default when absent, the largest page (100) when it comes
// from a variable (whatever its default, the client may send 100). Other lists (attempts, secrets,
// the catalogue) are short by construction and count once. Fields that read much more than a row
// add their FIELD_COSTS (deliveryStats: a week of rollups; a session's events: a query per
// session). Each fragment's cost is computed once per page size and reused at
// every spread, so the rule stays linear in the size of the document.
import {
  GraphQLError, Kind, getNamedType, isInterfaceType, isObjectType,
  type FieldNode, type FragmentDefinitionNode, type GraphQLField, type GraphQLNamedType, type GraphQLSchema,
  type OperationDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule,
} from 'graphql';
import { MAX_PAGE_SIZE } from './pagination.ts';

/** What a field (Type.field) costs on top of its 1, for fields that read much, or a query each. */
export const FIELD_COSTS: Readonly<Record<string, number>> = { 'Query.deliveryStats': 100, 'Query.deliveryOverview': 100, 'Session.events': 20 };

export function costLimit(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const cost = new DocumentCost(context);
    return {
      OperationDefinition(op) {
        const total = cost.ofOperation(op);
        if (total > max) {
          const shown = total >= 1e9 ? total.toExponential(1) : String(total);
          context.reportError(new GraphQLError(
            `query cost ${shown} exceeds the limit of ${max} (each field counts 1, aliases included; a connection's edges count once per item of the page)`,
            { nodes: [op], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
          ));
        }
      },
    };
  };
}

/** The costs of one document's operations, its fragments' costs computed once per page size. */
class DocumentCost {
  readonly #schema: GraphQLSchema;
  readonly #fragments = new Map<string, FragmentDefinitionNode>();
  readonly #fragmentCost = new Map<string, number>();
  readonly #entered = new Set<string>();

  constructor(context: ValidationContext) {
    this.#schema = context.getSchema();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) this.#fragments.set(def.name.value, def);
    }
  }

  ofOperation(op: OperationDefinitionNode): number {
    const schema = this.#schema;
    const root = op.operation === 'query' ? schema.getQueryType() : op.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    return this.#cost(op.selectionSet, root ?? undefined, 1);
  }

  /** `pageSize`: when `type` is a connection, the page its field asked for. */
  #cost(selectionSet: SelectionSetNode, type: GraphQLNamedType | undefined, pageSize: number): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += 1 + (FIELD_COSTS[`${type?.name}.${selection.name.value}`] ?? 0);
        if (!selection.selectionSet) continue;
        const field = fieldOf(type, selection.name.value);
        const childType = field ? getNamedType(field.type) : undefined;
        const size = field ? pageSizeOf(selection, field) : undefined;
        const perItem = this.#cost(selection.selectionSet, childType, size ?? 1);
        const isPage = (selection.name.value === 'edges' || selection.name.value === 'nodes') && type?.name.endsWith('Connection');
        total += isPage ? pageSize * perItem : perItem;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? this.#schema.getType(selection.typeCondition.name.value) : type;
        total += this.#cost(selection.selectionSet, narrowed ?? undefined, pageSize);
      } else {
        total += this.#ofFragment(selection.name.value, pageSize);
      }
    }
    return total;
  }

  #ofFragment(name: string, pageSize: number): number {
    const fragment = this.#fragments.get(name);
    // Unknown fragments and cycles are other rules' errors (KnownFragmentNames, NoFragmentCycles).
    if (!fragment) return 0;
    const type = this.#schema.getType(fragment.typeCondition.name.value);
    const size = type?.name.endsWith('Connection') ? pageSize : 1; // only a connection's fragment depends on it
    const memo = `${name}\u0000${size}`;
    const known = this.#fragmentCost.get(memo);
    if (known !== undefined) return known;
    if (this.#entered.has(memo)) return 0;
    this.#entered.add(memo);
    const c = this.#cost(fragment.selectionSet, type ?? undefined, size);
    this.#fragmentCost.set(memo, c);
    return c;
  }
}

const fieldOf = (type: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined =>
  type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[name] : undefined;

/** The page size a connection field asks for. */
function pageSizeOf(node: FieldNode, field: GraphQLField<unknown, unknown>): number | undefined {
  const arg = field.args.find((a) => a.name === 'first');
  if (!arg) return undefined;
  const value = node.arguments?.find((a) => a.name.value === 'first')?.value;
  if (value === undefined) return typeof arg.defaultValue === 'number' ? arg.defaultValue : MAX_PAGE_SIZE;
  // Out of range is the resolver's BAD_USER_INPUT naming `first`, not a cost error.
  return value.kind === Kind.INT ? Math.min(MAX_PAGE_SIZE, Math.max(1, Number(value.value))) : MAX_PAGE_SIZE;
}
