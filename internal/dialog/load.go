// Package dialog loads the dialog trees, the law registry and the locale
// files, and checks them together: everything an author can get wrong is
// reported at once, with file:line, before any user sees it.
package dialog

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/law"
	"github.com/disputebot/disputebot/internal/source"
)

// File names inside the dialogs folder.
const (
	LawFile    = "laws.yaml"
	testSuffix = ".test.yaml"
	// MenuTree is the category menu that Start opens.
	MenuTree = "menu"
)

// Languages the bot speaks; every key must exist in each.
var Languages = []string{"zh", "en"}

// Bundle is everything loaded from the data folders.
type Bundle struct {
	Catalog *engine.Catalog
	Laws    *law.Registry
	// Files maps tree id to its file name.
	Files map[string]string
}

// Load reads trees and the law registry from dialogs and message files from
// locales, then validates them. codeKeys are message keys the program uses
// itself (notices, headings), which must exist in every language too. The
// bundle is nil when any problem is found.
func Load(dialogs, locales fs.FS, codeKeys []string) (*Bundle, []source.Problem) {
	var probs []source.Problem
	laws, lp := law.Load(dialogs, LawFile)
	probs = append(probs, lp...)

	b := &Bundle{Catalog: &engine.Catalog{Trees: map[string]*engine.Tree{}, Menu: MenuTree}, Laws: laws, Files: map[string]string{}}
	names, err := fs.Glob(dialogs, "*.yaml")
	if err != nil {
		return nil, []source.Problem{{File: ".", Msg: err.Error()}}
	}
	// A tree file that cannot be read at all would make every key and law
	// it uses look unused; those reports are then left out as noise.
	unreadable := false
	for _, name := range names {
		if name == LawFile || strings.HasSuffix(name, testSuffix) {
			continue
		}
		data, err := fs.ReadFile(dialogs, name)
		if err != nil {
			probs = append(probs, source.Problem{File: name, Msg: err.Error()})
			continue
		}
		t, tp := decodeTree(name, data)
		probs = append(probs, tp...)
		if t == nil || t.ID == "" {
			unreadable = true
			continue
		}
		if prev, dup := b.Files[t.ID]; dup {
			probs = append(probs, source.Problem{File: name, Line: 1, Msg: fmt.Sprintf("tree id %q is already used by %s", t.ID, prev)})
			continue
		}
		if want := strings.TrimSuffix(name, ".yaml"); t.ID != want {
			probs = append(probs, source.Problem{File: name, Line: 1, Msg: fmt.Sprintf("tree id %q should match its file name %q", t.ID, want)})
		}
		b.Catalog.Trees[t.ID] = t
		b.Files[t.ID] = name
	}
	if b.Catalog.Trees[MenuTree] == nil {
		probs = append(probs, source.Problem{File: MenuTree + ".yaml", Msg: "the category menu tree is missing"})
	}
	for id, t := range b.Catalog.Trees {
		probs = append(probs, checkGraph(b.Files[id], t, b.Catalog)...)
	}
	if laws != nil {
		probs = append(probs, checkLaws(b, laws, !unreadable)...)
	}
	msgs, mp := loadMessages(locales)
	probs = append(probs, mp...)
	probs = append(probs, checkKeys(b, msgs, codeKeys, !unreadable)...)
	probs = append(probs, checkMeans(b, msgs)...)
	for i := range probs {
		probs[i].File = qualify(probs[i].File)
	}
	source.Sort(probs)
	if len(probs) > 0 {
		return nil, probs
	}
	return b, nil
}

// Problems name files as "dialogs/<name>" or "locales/<name>", so a
// report is unambiguous; lint maps them to the folders it was given.
const (
	DialogsPrefix = "dialogs/"
	LocalesPrefix = "locales/"
)

func qualify(file string) string {
	if strings.HasPrefix(file, LocalesPrefix) || strings.HasPrefix(file, "(") {
		return file
	}
	return DialogsPrefix + file
}

// checkGraph finds dangling references, unreachable nodes, nodes that can
// never reach an outcome, cycles, and buttons too long for Telegram.
func checkGraph(file string, t *engine.Tree, cat *engine.Catalog) []source.Problem {
	var probs []source.Problem
	bad := func(line int, format string, args ...any) {
		probs = append(probs, source.Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	if t.Start != "" && t.Nodes[t.Start] == nil {
		bad(1, "start node %q does not exist", t.Start)
	}
	edges := map[string][]string{}
	ends := map[string]bool{} // nodes that end the tree (outcome or goto)
	for _, id := range t.Order {
		n := t.Nodes[id]
		targets := func(next engine.Next) {
			for _, br := range next {
				if br.To == "" {
					continue
				}
				if t.Nodes[br.To] == nil {
					bad(n.Line, "node %q: next %q does not exist", id, br.To)
					continue
				}
				edges[id] = append(edges[id], br.To)
			}
		}
		targets(n.Next)
		for _, o := range n.Options {
			targets(o.Next)
			if o.Goto != "" {
				if cat.Trees[o.Goto] == nil {
					bad(n.Line, "node %q option %q: goto tree %q does not exist", id, o.ID, o.Goto)
				}
				ends[id] = true
			}
			if l := len(engine.ButtonData(strings.Repeat("z", engine.MaxTokenLen), o.ID)); l > 64 {
				bad(n.Line, "node %q option %q: callback data would be %d bytes, over Telegram's 64", id, o.ID, l)
			}
		}
		if n.Kind == engine.Outcome {
			ends[id] = true
			for _, e := range n.Outcome.Evidence {
				if len(e.Key) > 40 {
					bad(e.Line, "evidence id %q is too long for a checklist button (40 bytes at most)", e.Key)
				}
			}
		}
	}
	// Reachable from start.
	seen := map[string]bool{}
	var walk func(string)
	walk = func(id string) {
		if seen[id] || t.Nodes[id] == nil {
			return
		}
		seen[id] = true
		for _, to := range edges[id] {
			walk(to)
		}
	}
	walk(t.Start)
	for _, id := range t.Order {
		if !seen[id] {
			bad(t.Nodes[id].Line, "node %q is unreachable from start %q", id, t.Start)
		}
	}
	// Can reach an end: fixed point over reverse edges.
	canEnd := map[string]bool{}
	for id := range ends {
		canEnd[id] = true
	}
	for changed := true; changed; {
		changed = false
		for _, id := range t.Order {
			if canEnd[id] {
				continue
			}
			for _, to := range edges[id] {
				if canEnd[to] {
					canEnd[id], changed = true, true
					break
				}
			}
		}
	}
	for _, id := range t.Order {
		if !canEnd[id] {
			bad(t.Nodes[id].Line, "node %q can never reach an outcome", id)
		}
	}
	// Cycles: depth-first search with colours.
	colour := map[string]int{}
	var visit func(string, []string)
	visit = func(id string, stack []string) {
		colour[id] = 1
		for _, to := range edges[id] {
			switch colour[to] {
			case 0:
				visit(to, append(stack, to))
			case 1:
				i := slices.Index(stack, to)
				bad(t.Nodes[id].Line, "cycle: %s -> %s", strings.Join(stack[max(i, 0):], " -> "), to)
			}
		}
		colour[id] = 2
	}
	for _, id := range t.Order {
		if colour[id] == 0 {
			visit(id, []string{id})
		}
	}
	return probs
}

// checkLaws makes sure every cited law id exists, and every registry entry
// is cited somewhere (an entry nobody cites is unchecked text).
func checkLaws(b *Bundle, laws *law.Registry, reportUnused bool) []source.Problem {
	var probs []source.Problem
	used := map[string]bool{}
	for _, id := range engine.RuleLawIDs() {
		used[id] = true
		if laws.Entries[id] == nil {
			probs = append(probs, source.Problem{File: LawFile, Msg: fmt.Sprintf("law %q, used by a deadline or compensation rule, is not in the registry", id)})
		}
	}
	for tid, t := range b.Catalog.Trees {
		for _, id := range t.Order {
			n := t.Nodes[id]
			if n.Outcome == nil {
				continue
			}
			o := n.Outcome
			check := func(c engine.Cited, ids ...string) {
				for _, l := range ids {
					used[l] = true
					if laws.Entries[l] == nil {
						probs = append(probs, source.Problem{File: b.Files[tid], Line: c.Line, Msg: fmt.Sprintf("node %q: law %q is not in the registry", id, l)})
					}
				}
			}
			for _, c := range o.Law {
				check(c, c.Key)
			}
			for _, c := range slices.Concat(o.Steps, o.Refusals, o.Evidence) {
				check(c, c.Law...)
			}
		}
	}
	for id, e := range laws.Entries {
		if !used[id] && reportUnused {
			probs = append(probs, source.Problem{File: LawFile, Line: e.Line, Msg: fmt.Sprintf("law %q is cited by no dialog", id)})
		}
	}
	return probs
}

// keyUse is where a message key is used.
type keyUse struct {
	file string
	line int
}

// UsedKeys lists every message key the trees use, with where.
func usedKeys(b *Bundle) map[string]keyUse {
	used := map[string]keyUse{}
	add := func(key, file string, line int) {
		if key == "" {
			return
		}
		if _, ok := used[key]; !ok {
			used[key] = keyUse{file, line}
		}
	}
	for tid, t := range b.Catalog.Trees {
		file := b.Files[tid]
		for _, id := range t.Order {
			n := t.Nodes[id]
			add(n.Text, file, n.Line)
			if (n.Kind == engine.Choice || n.Kind == engine.Input) && tid != b.Catalog.Menu {
				// A draft states the answer as a fact under this label,
				// never under the question itself.
				add(n.Text+engine.FactSuffix, file, n.Line)
			}
			for _, o := range n.Options {
				add(o.Text, file, n.Line)
			}
			if o := n.Outcome; o != nil {
				add(o.Title, file, n.Line)
				add(o.Summary, file, n.Line)
				for _, s := range o.Steps {
					add(s.Key, file, s.Line)
				}
				for _, e := range o.Evidence {
					add("evidence."+e.Key, file, e.Line)
					add("evidence."+e.Key+".why", file, e.Line)
				}
				for _, r := range o.Refusals {
					add("refusal."+r.Key+".says", file, r.Line)
					add("refusal."+r.Key+".answer", file, r.Line)
				}
				for _, d := range o.Deadlines {
					add("deadline."+d.Rule, file, n.Line)
				}
				for _, c := range o.Compensation {
					add("compensation."+c.Rule, file, n.Line)
				}
			}
		}
	}
	return used
}

// messages maps language → key → line in its file; files maps language →
// key → file name.
type messages struct {
	lines map[string]map[string]int
	files map[string]map[string]string
	// texts maps language → key → text, for single-form messages.
	texts map[string]map[string]string
}

// loadMessages reads locale files named <group>.<lang>.yaml: flat maps of
// key → text, or key → {one, other} for plurals.
func loadMessages(locales fs.FS) (messages, []source.Problem) {
	m := messages{lines: map[string]map[string]int{}, files: map[string]map[string]string{}, texts: map[string]map[string]string{}}
	var probs []source.Problem
	for _, lang := range Languages {
		m.lines[lang], m.files[lang], m.texts[lang] = map[string]int{}, map[string]string{}, map[string]string{}
	}
	names, _ := fs.Glob(locales, "*.yaml")
	for _, fname := range names {
		name := LocalesPrefix + fname
		parts := strings.Split(path.Base(name), ".")
		lang := ""
		if len(parts) >= 3 {
			lang = parts[len(parts)-2]
		}
		if m.lines[lang] == nil {
			probs = append(probs, source.Problem{File: name, Msg: "locale files are named <group>.<lang>.yaml with lang zh or en"})
			continue
		}
		data, err := fs.ReadFile(locales, fname)
		if err != nil {
			probs = append(probs, source.Problem{File: name, Msg: err.Error()})
			continue
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			probs = append(probs, source.FromYAML(name, err)...)
			continue
		}
		if len(root.Content) == 0 {
			continue
		}
		doc := root.Content[0]
		if doc.Kind != yaml.MappingNode {
			probs = append(probs, source.Problem{File: name, Line: doc.Line, Msg: "a locale file is a mapping of key: text"})
			continue
		}
		for i := 0; i+1 < len(doc.Content); i += 2 {
			k, v := doc.Content[i], doc.Content[i+1]
			if prev, dup := m.files[lang][k.Value]; dup {
				probs = append(probs, source.Problem{File: name, Line: k.Line, Msg: fmt.Sprintf("key %q is already defined in %s", k.Value, prev)})
				continue
			}
			switch {
			case v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) == "":
				probs = append(probs, source.Problem{File: name, Line: k.Line, Msg: fmt.Sprintf("key %q has empty text", k.Value)})
			case v.Kind == yaml.MappingNode:
				for j := 0; j+1 < len(v.Content); j += 2 {
					if f := v.Content[j].Value; f != "one" && f != "other" {
						probs = append(probs, source.Problem{File: name, Line: v.Content[j].Line, Msg: fmt.Sprintf("key %q: plural forms are one and other, not %q", k.Value, f)})
					}
				}
			case v.Kind != yaml.ScalarNode:
				probs = append(probs, source.Problem{File: name, Line: k.Line, Msg: fmt.Sprintf("key %q: text or {one, other}", k.Value)})
			}
			m.lines[lang][k.Value] = k.Line
			m.files[lang][k.Value] = name
			if v.Kind == yaml.ScalarNode {
				m.texts[lang][k.Value] = v.Value
			}
		}
	}
	return m, probs
}

// checkKeys reports keys missing in a language and keys nothing uses.
func checkKeys(b *Bundle, m messages, codeKeys []string, reportUnused bool) []source.Problem {
	var probs []source.Problem
	used := usedKeys(b)
	for _, k := range codeKeys {
		if _, ok := used[k]; !ok {
			used[k] = keyUse{file: "(program)"}
		}
	}
	keys := make([]string, 0, len(used))
	for k := range used {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, lang := range Languages {
			if _, ok := m.lines[lang][k]; !ok {
				u := used[k]
				probs = append(probs, source.Problem{File: u.file, Line: u.line, Msg: fmt.Sprintf("message key %q is missing in %s", k, lang)})
			}
		}
	}
	for _, lang := range Languages {
		for k, line := range m.lines[lang] {
			if _, ok := used[k]; !ok && reportUnused {
				probs = append(probs, source.Problem{File: m.files[lang][k], Line: line, Msg: fmt.Sprintf("message key %q is used nowhere", k)})
			}
		}
	}
	return probs
}

// yesNoLabel matches an English option label that answers a yes/no
// question: "Yes", "No", "Yes, I'd had it before", "No, they refused" (but
// not "No invoice, no warranty").
var yesNoLabel = regexp.MustCompile(`(?i)^(yes|no)\s*(?:[,.;:!—–-]|$)`)

// checkMeans reports options whose English label says Yes or No but which
// do not say so in means (a typed "是的" or "nope" would not select them),
// and options whose means contradicts their label.
func checkMeans(b *Bundle, m messages) []source.Problem {
	var probs []source.Problem
	for tid, t := range b.Catalog.Trees {
		for _, id := range t.Order {
			n := t.Nodes[id]
			for _, o := range n.Options {
				sm := yesNoLabel.FindStringSubmatch(m.texts["en"][o.Text])
				if sm == nil {
					continue
				}
				says := strings.ToLower(sm[1])
				switch o.Means {
				case says:
				case "":
					probs = append(probs, source.Problem{File: b.Files[tid], Line: n.Line, Msg: fmt.Sprintf(
						"node %q option %q reads %q: add means: %q so a typed %s selects it", id, o.ID, sm[1], says, says)})
				default:
					probs = append(probs, source.Problem{File: b.Files[tid], Line: n.Line, Msg: fmt.Sprintf(
						"node %q option %q means %q but reads %q", id, o.ID, o.Means, sm[1])})
				}
			}
		}
	}
	return probs
}
