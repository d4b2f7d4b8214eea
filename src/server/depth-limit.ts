// GraphQL query depth limit (SPEC §11): a validation rule, so a deep query is refused before any
// resolver runs. Fragments are followed; introspection counts like any other query.
import { GraphQLError, Kind, type ASTNode, type FragmentDefinitionNode, type ValidationContext, type ValidationRule } from 'graphql';

export function depthLimit(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const depthOf = (node: ASTNode, depth: number, seen: Set<string>): number => {
      if (depth > max) return depth;
      switch (node.kind) {
        case Kind.FIELD: {
          if (!node.selectionSet) return depth;
          return Math.max(...node.selectionSet.selections.map((s) => depthOf(s, depth + 1, seen)));
        }
        case Kind.INLINE_FRAGMENT:
          return Math.max(...node.selectionSet.selections.map((s) => depthOf(s, depth, seen)));
        case Kind.FRAGMENT_SPREAD: {
          const name = node.name.value;
          const fragment = fragments.get(name);
          if (!fragment || seen.has(name)) return depth;
          return Math.max(...fragment.selectionSet.selections.map((s) => depthOf(s, depth, new Set([...seen, name]))));
        }
        default:
          return depth;
      }
    };
    return {
      OperationDefinition(op) {
        const depth = Math.max(0, ...op.selectionSet.selections.map((s) => depthOf(s, 1, new Set())));
        if (depth > max) {
          context.reportError(new GraphQLError(`query depth exceeds the limit of ${max}`, { nodes: [op], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        }
      },
    };
  };
}
