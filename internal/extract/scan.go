package extract

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// scanner is a small backtracking matcher for the patterns that are
// searched over whole descriptions and almost always run (the goods and
// service vocabularies, the merchant's words): Go's matcher is general and
// its cost grows with the pattern's size at every position of the text,
// while these patterns are mostly lists of words that fail at the first
// byte. It walks the pattern's own syntax tree in Perl's leftmost-first
// order, the order Go's matcher promises, so the matches are the same;
// patterns it does not handle exactly (anything that can match the empty
// string, repeats of something that can, non-greedy repeats, case folding,
// line modes) get no scanner and stay with Go's matcher, and a search that
// takes more than a fixed number of steps (a pathological input) is handed
// to Go's matcher as well.
type scanner struct {
	start *node
	first [256]bool // bytes that can begin a match
}

type nodeKind uint8

const (
	nLit      nodeKind = iota // lit, byte for byte
	nClass                    // one rune in ranges
	nAnyNotNL                 // any rune but \n
	nWordB                    // \b (ASCII)
	nNoWordB                  // \B
	nBegin                    // beginning of text
	nEnd                      // end of text
	nAlt                      // alts, in order of preference
	nCap                      // records the position in caps[cap]
	nMatch
)

type node struct {
	kind   nodeKind
	lit    string
	ranges []rune // pairs, as syntax.Regexp.Rune
	alts   []*node
	cap    int
	next   *node
}

// scanBudget bounds the steps of one search before giving up to Go's
// matcher, whose time is linear in the text.
const scanBudget = 20000

// newScanner returns nil when re is outside what the scanner matches
// exactly.
func newScanner(re *syntax.Regexp) *scanner {
	if !scannable(re) || nullable(re) {
		return nil
	}
	match := &node{kind: nMatch}
	sc := &scanner{start: build(re, match)}
	if !firstBytes(sc.start, &sc.first) {
		return nil
	}
	return sc
}

// scannable reports whether every part of re is one the scanner handles
// exactly as Go's matcher does.
func scannable(re *syntax.Regexp) bool {
	if re.Flags&(syntax.FoldCase|syntax.NonGreedy) != 0 {
		return false
	}
	switch re.Op {
	case syntax.OpLiteral:
		// A literal U+FFFD would also match an invalid byte in Go's
		// matcher; this one compares bytes.
		return !slices.Contains(re.Rune, utf8.RuneError)
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpWordBoundary, syntax.OpNoWordBoundary,
		syntax.OpBeginText, syntax.OpEndText, syntax.OpEmptyMatch:
		return true
	case syntax.OpCapture:
		return scannable(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		// Repeating something that can be empty is where backtracking
		// and Go's semantics part.
		if re.Op == syntax.OpRepeat && (re.Max > 1000 || re.Min > 1000) {
			return false
		}
		return !nullable(re.Sub[0]) && scannable(re.Sub[0])
	case syntax.OpConcat, syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !scannable(sub) {
				return false
			}
		}
		return true
	}
	return false
}

// nullable reports whether re can match the empty string.
func nullable(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) == 0
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return false
	case syntax.OpCapture, syntax.OpPlus:
		return nullable(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min == 0 || nullable(re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !nullable(sub) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if nullable(sub) {
				return true
			}
		}
		return false
	}
	// Empty-width assertions, the empty match, *, ?.
	return true
}

// build returns the nodes matching re followed by next. A repeat is
// unrolled into copies, each built afresh because each continues
// differently.
func build(re *syntax.Regexp, next *node) *node {
	switch re.Op {
	case syntax.OpLiteral:
		return &node{kind: nLit, lit: string(re.Rune), next: next}
	case syntax.OpCharClass:
		return &node{kind: nClass, ranges: re.Rune, next: next}
	case syntax.OpAnyCharNotNL:
		return &node{kind: nAnyNotNL, next: next}
	case syntax.OpWordBoundary:
		return &node{kind: nWordB, next: next}
	case syntax.OpNoWordBoundary:
		return &node{kind: nNoWordB, next: next}
	case syntax.OpBeginText:
		return &node{kind: nBegin, next: next}
	case syntax.OpEndText:
		return &node{kind: nEnd, next: next}
	case syntax.OpEmptyMatch:
		return next
	case syntax.OpCapture:
		end := &node{kind: nCap, cap: 2*re.Cap + 1, next: next}
		return &node{kind: nCap, cap: 2 * re.Cap, next: build(re.Sub[0], end)}
	case syntax.OpConcat:
		for i := len(re.Sub) - 1; i >= 0; i-- {
			next = build(re.Sub[i], next)
		}
		return next
	case syntax.OpAlternate:
		n := &node{kind: nAlt}
		for _, sub := range re.Sub {
			n.alts = append(n.alts, build(sub, next))
		}
		return n
	case syntax.OpQuest:
		return &node{kind: nAlt, alts: []*node{build(re.Sub[0], next), next}}
	case syntax.OpStar:
		return loop(re.Sub[0], next)
	case syntax.OpPlus:
		return build(re.Sub[0], loop(re.Sub[0], next))
	case syntax.OpRepeat:
		// x{min,max}: min copies, then max-min nested optional ones (or a
		// loop when unbounded), greedy.
		tail := next
		if re.Max < 0 {
			tail = loop(re.Sub[0], next)
		} else {
			for range re.Max - re.Min {
				tail = &node{kind: nAlt, alts: []*node{build(re.Sub[0], tail), next}}
			}
		}
		for range re.Min {
			tail = build(re.Sub[0], tail)
		}
		return tail
	}
	panic("extract: build of an unscannable pattern")
}

// loop is x* followed by next, greedy: one more x first.
func loop(sub *syntax.Regexp, next *node) *node {
	n := &node{kind: nAlt}
	n.alts = []*node{build(sub, n), next}
	return n
}

// firstBytes marks in first every byte a match from n can begin with; it
// reports false when n can reach the end of the match without reading a
// byte.
func firstBytes(n *node, first *[256]bool) bool {
	switch n.kind {
	case nLit:
		first[n.lit[0]] = true
	case nClass:
		for i := 0; i+1 < len(n.ranges); i += 2 {
			lo, hi := n.ranges[i], n.ranges[i+1]
			for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
				first[r] = true
			}
			if hi >= utf8.RuneSelf {
				// Any non-ASCII lead byte, and the invalid bytes that
				// decode to U+FFFD.
				for b := utf8.RuneSelf; b < 256; b++ {
					first[b] = true
				}
			}
		}
	case nAnyNotNL:
		for b := range 256 {
			first[b] = b != '\n'
		}
	case nAlt:
		for _, a := range n.alts {
			if !firstBytes(a, first) {
				return false
			}
		}
	case nMatch:
		return false
	default: // assertions and captures read nothing
		return firstBytes(n.next, first)
	}
	return true
}

func isWordByte(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	b := s[i]
	return b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// run matches from n at s[i:], returning the end of the first match in
// order of preference; caps, when not nil, gets the group positions of
// that match (undone on the paths that fail). budget counts down the
// steps; at zero the search is abandoned (ok false, *budget 0).
func run(n *node, s string, i int, budget *int, caps []int) (int, bool) {
	for {
		if *budget--; *budget <= 0 {
			*budget = 0
			return 0, false
		}
		switch n.kind {
		case nLit:
			if !strings.HasPrefix(s[i:], n.lit) {
				return 0, false
			}
			i += len(n.lit)
		case nClass:
			if i >= len(s) {
				return 0, false
			}
			r, w := rune(s[i]), 1
			if r >= utf8.RuneSelf {
				r, w = utf8.DecodeRuneInString(s[i:])
			}
			if !inRanges(r, n.ranges) {
				return 0, false
			}
			i += w
		case nAnyNotNL:
			if i >= len(s) || s[i] == '\n' {
				return 0, false
			}
			w := 1
			if s[i] >= utf8.RuneSelf {
				_, w = utf8.DecodeRuneInString(s[i:])
			}
			i += w
		case nWordB:
			if isWordByte(s, i-1) == isWordByte(s, i) {
				return 0, false
			}
		case nNoWordB:
			if isWordByte(s, i-1) != isWordByte(s, i) {
				return 0, false
			}
		case nBegin:
			if i != 0 {
				return 0, false
			}
		case nEnd:
			if i != len(s) {
				return 0, false
			}
		case nAlt:
			last := len(n.alts) - 1
			for _, a := range n.alts[:last] {
				if end, ok := run(a, s, i, budget, caps); ok {
					return end, true
				}
				if *budget == 0 {
					return 0, false
				}
			}
			n = n.alts[last]
			continue
		case nCap:
			if caps != nil {
				old := caps[n.cap]
				caps[n.cap] = i
				end, ok := run(n.next, s, i, budget, caps)
				if !ok {
					caps[n.cap] = old
				}
				return end, ok
			}
		case nMatch:
			return i, true
		}
		n = n.next
	}
}

func inRanges(r rune, ranges []rune) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i] <= r && r <= ranges[i+1] {
			return true
		}
	}
	return false
}

// find returns the leftmost match at or after byte pos, trying start
// positions rune by rune as Go's matcher does; exhausted reports that the
// step budget ran out and nothing is known.
// caps, when not nil, gets the group positions as in regexp's
// submatch indexes (caps[0] and caps[1] are left to the caller).
func (sc *scanner) find(s string, pos int, caps []int) (start, end int, found, exhausted bool) {
	budget := scanBudget
	for i := pos; i < len(s); {
		b := s[i]
		w := 1
		if b >= utf8.RuneSelf {
			_, w = utf8.DecodeRuneInString(s[i:])
		}
		if sc.first[b] {
			if e, ok := run(sc.start, s, i, &budget, caps); ok {
				return i, e, true, false
			}
			if budget == 0 {
				return 0, 0, false, true
			}
		}
		i += w
	}
	return 0, 0, false, false
}
