// GraphQL query depth limit (SPEC §11, §15): a validation rule, so a deep query is refused before
// any resolver runs. Fragments are followed; introspection counts like any other query.
//
// Each fragment's depth is computed once and reused wherever it is spread: walking a fragment again
// on every path made 24 fragments that each spread the previous one twice cost 2^24 walks (minutes
// of one core, for any key). Memoized, the rule is linear in the size of the document.
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';

export function depthLimit(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const fragmentHeight = new Map<string, number>();
    const entered = new Set<string>();

    /** Levels of fields below (and including) this selection set: a leaf field alone is 1. */
    const height = (selectionSet: SelectionSetNode): number => {
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        const h = selection.kind === Kind.FIELD ? 1 + (selection.selectionSet ? height(selection.selectionSet) : 0)
          : selection.kind === Kind.INLINE_FRAGMENT ? height(selection.selectionSet)
            : heightOfFragment(selection.name.value);
        if (h > deepest) deepest = h;
      }
      return deepest;
    };
    const heightOfFragment = (name: string): number => {
      const known = fragmentHeight.get(name);
      if (known !== undefined) return known;
      const fragment = fragments.get(name);
      // Unknown fragments and cycles are other rules' errors (KnownFragmentNames, NoFragmentCycles).
      if (!fragment || entered.has(name)) return 0;
      entered.add(name);
      const h = height(fragment.selectionSet);
      fragmentHeight.set(name, h);
      return h;
    };

    return {
      OperationDefinition(op) {
        const depth = height(op.selectionSet);
        if (depth > max) {
          context.reportError(new GraphQLError(`query depth exceeds the limit of ${max}`, { nodes: [op], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        }
      },
    };
  };
}
