package extract

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

// pattern is a compiled regular expression with a cheap necessary
// condition in front. Most of the extractor's patterns are long
// alternations of words, and a typical description contains none of a
// given pattern's words; running Go's matcher to find that out costs time
// proportional to the text times the size of the pattern, while checking
// for the words is a handful of substring searches. The condition is
// derived from the pattern's syntax tree (see need), so it cannot drift
// from the pattern: it only ever says "cannot match" when no match is
// possible, and the pattern itself decides everything else.
type pattern struct {
	re *regexp.Regexp
	// need is a conjunction of disjunctions: every match contains at least
	// one string of each set. Empty when nothing is known.
	need []litSet
	// sc, when not nil, finds the same matches as re, faster.
	sc *scanner
}

// litSet is a set of strings of which a match contains at least one.
// Single bytes are kept in a table, as most sets of digits and
// punctuation are.
type litSet struct {
	bytes   [256]bool
	anyByte bool
	strs    []string
}

func (l *litSet) in(s string) bool {
	if l.anyByte {
		for i := 0; i < len(s); i++ {
			if l.bytes[s[i]] {
				return true
			}
		}
	}
	for _, w := range l.strs {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// patterns lists every pattern, for the test that checks their conditions
// against the matcher.
var patterns []*pattern

// mustPattern compiles expr like regexp.MustCompile, at package init.
func mustPattern(expr string) *pattern {
	re := regexp.MustCompile(expr)
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		panic(err)
	}
	p := &pattern{re: re, sc: newScanner(tree)}
	patterns = append(patterns, p)
	for _, set := range need(tree) {
		var l litSet
		for _, w := range set {
			if len(w) == 1 {
				l.bytes[w[0]], l.anyByte = true, true
			} else {
				l.strs = append(l.strs, w)
			}
		}
		p.need = append(p.need, l)
	}
	return p
}

// possible reports whether the pattern may match somewhere in s.
func (p *pattern) possible(s string) bool {
	for i := range p.need {
		if !p.need[i].in(s) {
			return false
		}
	}
	return true
}

func (p *pattern) MatchString(s string) bool {
	if !p.possible(s) {
		return false
	}
	if p.sc != nil {
		if _, _, found, exhausted := p.sc.find(s, 0, nil); !exhausted {
			return found
		}
	}
	return p.re.MatchString(s)
}

func (p *pattern) FindStringIndex(s string) []int {
	if !p.possible(s) {
		return nil
	}
	if p.sc != nil {
		start, end, found, exhausted := p.sc.find(s, 0, nil)
		if !exhausted {
			if !found {
				return nil
			}
			return []int{start, end}
		}
	}
	return p.re.FindStringIndex(s)
}

// FindAllStringIndex is regexp's, for n < 0.
func (p *pattern) FindAllStringIndex(s string, n int) [][]int {
	if !p.possible(s) {
		return nil
	}
	if p.sc == nil || n >= 0 {
		return p.re.FindAllStringIndex(s, n)
	}
	var out [][]int
	// No match is empty (the scanner refuses patterns that can be), so
	// the next search starts where the last match ended.
	for pos := 0; pos < len(s); {
		start, end, found, exhausted := p.sc.find(s, pos, nil)
		if exhausted {
			return p.re.FindAllStringIndex(s, n)
		}
		if !found {
			break
		}
		out = append(out, []int{start, end})
		pos = end
	}
	return out
}

// FindAllStringSubmatchIndex is regexp's, for n < 0.
func (p *pattern) FindAllStringSubmatchIndex(s string, n int) [][]int {
	if !p.possible(s) {
		return nil
	}
	if p.sc == nil || n >= 0 {
		return p.re.FindAllStringSubmatchIndex(s, n)
	}
	var out [][]int
	for pos := 0; pos < len(s); {
		caps := make([]int, 2*(p.re.NumSubexp()+1))
		for i := range caps {
			caps[i] = -1
		}
		start, end, found, exhausted := p.sc.find(s, pos, caps)
		if exhausted {
			return p.re.FindAllStringSubmatchIndex(s, n)
		}
		if !found {
			break
		}
		caps[0], caps[1] = start, end
		out = append(out, caps)
		pos = end
	}
	return out
}

// maxClass is the largest character class turned into a set of strings;
// a larger one (\w, [^。]) says too little to be worth checking.
const maxClass = 16

// need returns sets of strings such that any match of re contains at
// least one string of every set; nil when it knows nothing (the pattern
// may match the empty string, or only through wide classes).
func need(re *syntax.Regexp) [][]string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return [][]string{{string(re.Rune)}}
	case syntax.OpCharClass:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		var set []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if int(re.Rune[i+1]-re.Rune[i])+1+len(set) > maxClass {
				return nil
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				set = append(set, string(r))
			}
		}
		if len(set) == 0 {
			return nil
		}
		return [][]string{set}
	case syntax.OpCapture, syntax.OpPlus:
		return need(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil
		}
		return need(re.Sub[0])
	case syntax.OpConcat:
		// Every part of a sequence is in the match.
		var all [][]string
		for _, sub := range re.Sub {
			all = append(all, need(sub)...)
		}
		return all
	case syntax.OpAlternate:
		// One of the branches is in the match: the union of one set of
		// each branch. Any branch that says nothing makes the whole say
		// nothing.
		var union []string
		for _, sub := range re.Sub {
			sets := need(sub)
			if len(sets) == 0 {
				return nil
			}
			union = append(union, best(sets)...)
		}
		slices.Sort(union)
		return [][]string{slices.Compact(union)}
	}
	// Empty-width assertions, the empty string, any character, *, ?.
	return nil
}

// best is the most selective of sets: longest shortest string, then the
// fewest strings.
func best(sets [][]string) []string {
	shortest := func(set []string) int {
		n := len(set[0])
		for _, w := range set {
			n = min(n, len(w))
		}
		return n
	}
	b := sets[0]
	for _, set := range sets[1:] {
		if s, bs := shortest(set), shortest(b); s > bs || (s == bs && len(set) < len(b)) {
			b = set
		}
	}
	return b
}
