// Package source describes problems found in the project's data files
// (dialogs, locales, the law registry) with the file and line an author
// must open to fix them.
package source

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one mistake in a data file.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
}

// Sort orders problems by file and line so reports are stable.
func Sort(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
}

// Error joins problems into one error, or nil if there are none.
func Error(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.String()
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// FromYAML turns a yaml.v3 decoding error ("line N: msg", possibly many)
// into problems in file.
func FromYAML(file string, err error) []Problem {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	var ps []Problem
	for _, m := range msgs {
		line := 0
		if n, _ := fmt.Sscanf(m, "line %d:", &line); n == 1 {
			m = strings.TrimSpace(m[strings.Index(m, ":")+1:])
		}
		if line == 0 {
			// Some syntax errors ("found unexpected end of stream") name no
			// line; the file's first still gives the author a place to open.
			line = 1
		}
		ps = append(ps, Problem{File: file, Line: line, Msg: authorWords(m)})
	}
	return ps
}

var unknownFieldRe = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
var goTypeRe = regexp.MustCompile(`into (?:\[\])?(?:\*?[a-z]+\.)?raw[A-Za-z]+`)

// authorWords rewrites yaml.v3's messages in the author's terms, without
// the program's Go type names.
func authorWords(m string) string {
	if sub := unknownFieldRe.FindStringSubmatch(m); sub != nil {
		return fmt.Sprintf("unknown field %q", sub[1])
	}
	return goTypeRe.ReplaceAllString(m, "into this field")
}
