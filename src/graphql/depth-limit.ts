// GraphQL query depth limit (SPEC §11, §15): a validation rule, so a deep query is refused before
// any resolver runs. Fragments are followed; introspection counts like any other query.
//
// Each fragment's depth is computed once and reused wherever it is spread: walking a fragment again
// on every path made 24 fragments that each spread the previous one twice cost 2^24 walks (minutes
// of one core, for any key). Memoized, the rule is linear in the size of the document.
//
// Nesting is bounded before any of that, on the source, for the stack's sake: graphql-js's parser
// and several of its validation rules (and the depth and cost rules) recurse once per level, so a
// document a few thousand levels deep, or a chain of a few thousand fragments that each spread the
// next, overflowed the stack in validation, which Apollo answers 500 and graphql-ws with a closed
// socket. nestingError() reads the tokens once, with no recursion; within its bound, every
// recursion on the way is shallow.
import {
  GraphQLError, Kind, Lexer, Source, TokenKind,
  type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule,
} from 'graphql';

/** Far above what GRAPHQL_MAX_DEPTH lets through (100 at most), far below the stack's reach. */
export const MAX_NESTING = 256;

const OPENING = new Set<string>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING = new Set<string>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);
const DEFINITION_KEYWORDS = new Set(['query', 'mutation', 'subscription', 'fragment']);

/** One definition of a document as its tokens show it: how deep it nests, and where it spreads fragments. */
interface Definition {
  fragment: string | undefined;
  deepest: number;
  spreads: Array<{ depth: number; fragment: string }>;
  bodyDone: boolean;
}

/**
 * A GRAPHQL_VALIDATION_FAILED error when the document nests braces, brackets or parentheses past
 * MAX_NESTING, following fragment spreads (a spread nested d deep adds d to its fragment's own
 * nesting); undefined otherwise, and for a syntax error, which parse() reports.
 */
export function nestingError(source: string): GraphQLError | undefined {
  // Each level of any path is an opening bracket of its own (a path enters a fragment once: a
  // cycle is NoFragmentCycles' error), so a document with few cannot nest past the bound.
  let opening = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x7b || c === 0x5b || c === 0x28) opening++;
  }
  if (opening <= MAX_NESTING) return undefined;
  const definitions = scanDefinitions(source);
  if (definitions === undefined) return undefined;
  if (definitions !== 'too deep' && deepestPath(definitions) <= MAX_NESTING) return undefined;
  return new GraphQLError(`the document is nested more than ${MAX_NESTING} levels deep`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}

function scanDefinitions(source: string): Definition[] | 'too deep' | undefined {
  const lexer = new Lexer(new Source(source));
  const definitions: Definition[] = [];
  let current: Definition | undefined;
  let depth = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      const between = depth === 0 && (!current || current.bodyDone);
      if (between && (token.kind === TokenKind.BRACE_L || (token.kind === TokenKind.NAME && DEFINITION_KEYWORDS.has(token.value)))) {
        current = { fragment: token.value === 'fragment' ? lexer.lookahead().value : undefined, deepest: 0, spreads: [], bodyDone: false };
        definitions.push(current);
      }
      if (OPENING.has(token.kind)) {
        if (++depth > MAX_NESTING) return 'too deep';
        if (current && depth > current.deepest) current.deepest = depth;
      } else if (CLOSING.has(token.kind)) {
        depth--;
        if (depth === 0 && token.kind === TokenKind.BRACE_R && current) current.bodyDone = true;
      } else if (token.kind === TokenKind.SPREAD && current) {
        const name = lexer.lookahead();
        if (name.kind === TokenKind.NAME && name.value !== 'on') current.spreads.push({ depth, fragment: name.value });
      }
    }
  } catch {
    return undefined; // a syntax error: parse() reports it
  }
  return definitions;
}

/** The deepest nesting of any definition, its fragments' followed; each fragment measured once. */
function deepestPath(definitions: Definition[]): number {
  const fragments = new Map<string, Definition>();
  for (const d of definitions) if (d.fragment !== undefined) fragments.set(d.fragment, d);
  const height = new Map<Definition, number>();
  const open = new Set<Definition>();
  const heightOf = (d: Definition) =>
    d.spreads.reduce((h, s) => {
      const f = fragments.get(s.fragment);
      return Math.max(h, s.depth + (f ? height.get(f) ?? 0 : 0));
    }, d.deepest);
  let deepest = 0;
  for (const root of definitions) {
    if (height.has(root)) continue;
    const path = [{ d: root, next: 0 }];
    open.add(root);
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      const spread = top.d.spreads[top.next++];
      if (spread) {
        const f = fragments.get(spread.fragment);
        if (f && !height.has(f) && !open.has(f)) {
          open.add(f);
          path.push({ d: f, next: 0 });
        }
        continue;
      }
      path.pop();
      open.delete(top.d);
      height.set(top.d, heightOf(top.d));
    }
    deepest = Math.max(deepest, height.get(root)!);
  }
  return deepest;
}

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
