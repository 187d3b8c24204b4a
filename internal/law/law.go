// Package law is the registry of legal statements the bot may make. Every
// statute, article and plain-words statement shown to a user comes from
// here, so each one can be traced to a source and checked in one place.
package law

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/disputebot/disputebot/internal/source"
)

// Text is a string in both languages the bot speaks.
type Text struct {
	ZH string `yaml:"zh"`
	EN string `yaml:"en"`
}

// In returns the text for lang ("zh" or "en").
func (t Text) In(lang string) string {
	if lang == "zh" {
		return t.ZH
	}
	return t.EN
}

// Statute is a law, regulation or judicial interpretation.
type Statute struct {
	ID   string `yaml:"-"`
	Name Text   `yaml:"name"`
	// Short is the abbreviation used in compact lists ("CPL", "消保法").
	Short  Text   `yaml:"short"`
	Source string `yaml:"source"`
}

// Entry is one citable provision with a plain statement of what it says.
type Entry struct {
	ID      string `yaml:"-"`
	Statute string `yaml:"statute"`
	Article Text   `yaml:"article"`
	Says    Text   `yaml:"says"`
	Source  string `yaml:"source"`
	Line    int    `yaml:"-"`
}

// Registry holds the statutes and entries of one registry file.
type Registry struct {
	Statutes map[string]*Statute
	Entries  map[string]*Entry
	File     string
}

type file struct {
	Statutes map[string]*Statute `yaml:"statutes"`
	Laws     map[string]*Entry   `yaml:"laws"`
}

// Load reads and checks the registry at name in fsys. It returns every
// problem found, not just the first.
func Load(fsys fs.FS, name string) (*Registry, []source.Problem) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, []source.Problem{{File: name, Msg: err.Error()}}
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []source.Problem{{File: name, Line: 1, Msg: "the registry is empty: it needs statutes and laws"}}
		}
		return nil, source.FromYAML(name, err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	lines := keyLines(&root, "laws")
	slines := keyLines(&root, "statutes")
	r := &Registry{Statutes: f.Statutes, Entries: f.Laws, File: name}
	var probs []source.Problem
	for id, s := range r.Statutes {
		if s == nil {
			// "cpl:" with nothing after it: reported, and left out so the
			// registry never holds a nil statute.
			probs = append(probs, source.Problem{File: name, Line: slines[id], Msg: fmt.Sprintf("statute %q is empty: it needs name, short and source", id)})
			delete(r.Statutes, id)
			continue
		}
		s.ID = id
		if s.Name.ZH == "" || s.Name.EN == "" || s.Short.ZH == "" || s.Short.EN == "" {
			probs = append(probs, source.Problem{File: name, Line: slines[id], Msg: fmt.Sprintf("statute %q needs name and short in zh and en", id)})
		}
	}
	for id, e := range r.Entries {
		if e == nil {
			probs = append(probs, source.Problem{File: name, Line: lines[id], Msg: fmt.Sprintf("law %q is empty: it needs statute, article, says and source", id)})
			delete(r.Entries, id)
			continue
		}
		e.ID, e.Line = id, lines[id]
		switch {
		case r.Statutes[e.Statute] == nil:
			probs = append(probs, source.Problem{File: name, Line: e.Line, Msg: fmt.Sprintf("law %q: unknown statute %q", id, e.Statute)})
		case e.Article.ZH == "" || e.Article.EN == "":
			probs = append(probs, source.Problem{File: name, Line: e.Line, Msg: fmt.Sprintf("law %q: article needs zh and en", id)})
		case e.Says.ZH == "" || e.Says.EN == "":
			probs = append(probs, source.Problem{File: name, Line: e.Line, Msg: fmt.Sprintf("law %q: says needs zh and en", id)})
		case strings.TrimSpace(e.Source) == "":
			probs = append(probs, source.Problem{File: name, Line: e.Line, Msg: fmt.Sprintf("law %q: source is required", id)})
		}
	}
	source.Sort(probs)
	return r, probs
}

// Cite is "Statute Article" in lang, e.g. "《个人信息保护法》第16条" or
// "Personal Information Protection Law, Art. 16".
func (r *Registry) Cite(id, lang string) (string, bool) {
	e := r.Entries[id]
	if e == nil {
		return "", false
	}
	s := r.Statutes[e.Statute]
	if lang == "zh" {
		return s.Name.ZH + e.Article.ZH, true
	}
	return s.Name.EN + ", " + e.Article.EN, true
}

// ShortCite is the compact form: "消保法第25条", "CPL Art. 25".
func (r *Registry) ShortCite(id, lang string) (string, bool) {
	e := r.Entries[id]
	if e == nil {
		return "", false
	}
	s := r.Statutes[e.Statute]
	if lang == "zh" {
		return s.Short.ZH + e.Article.ZH, true
	}
	return s.Short.EN + " " + e.Article.EN, true
}

func keyLines(root *yaml.Node, section string) map[string]int {
	out := map[string]int{}
	if len(root.Content) == 0 {
		return out
	}
	doc := root.Content[0]
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value != section {
			continue
		}
		m := doc.Content[i+1]
		for j := 0; j+1 < len(m.Content); j += 2 {
			out[m.Content[j].Value] = m.Content[j].Line
		}
	}
	return out
}

// ShortCites cites several ids compactly, merging articles of the same
// statute: "CPL Arts. 24, 25; IR Art. 19" or "消保法第24条、第25条；实施条例第19条".
// Unknown ids are reported by ok=false.
func (r *Registry) ShortCites(ids []string, lang string) (string, bool) {
	type group struct {
		statute  string
		articles []string
	}
	var groups []*group
	index := map[string]*group{}
	for _, id := range ids {
		e := r.Entries[id]
		if e == nil {
			return "", false
		}
		g := index[e.Statute]
		if g == nil {
			g = &group{statute: e.Statute}
			index[e.Statute] = g
			groups = append(groups, g)
		}
		g.articles = append(g.articles, e.Article.In(lang))
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		short := r.Statutes[g.statute].Short.In(lang)
		if lang == "zh" {
			parts[i] = short + strings.Join(g.articles, "、")
			continue
		}
		if len(g.articles) == 1 {
			parts[i] = short + " " + g.articles[0]
			continue
		}
		nums := make([]string, len(g.articles))
		for j, a := range g.articles {
			nums[j] = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(a, "Arts."), "Art."))
		}
		parts[i] = short + " Arts. " + strings.Join(nums, ", ")
	}
	if lang == "zh" {
		return strings.Join(parts, "；"), true
	}
	return strings.Join(parts, "; "), true
}
