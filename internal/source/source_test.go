package source

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestFromYAMLSpeaksToAuthors(t *testing.T) {
	type raw struct {
		ID  string `yaml:"id"`
		Max int    `yaml:"max"`
	}
	dec := yaml.NewDecoder(strings.NewReader("id: a\ncolour: red\nmax: lots\n"))
	dec.KnownFields(true)
	var r raw
	ps := FromYAML("t.yaml", dec.Decode(&r))
	got := Error(ps).Error()
	for _, want := range []string{`t.yaml:2: unknown field "colour"`, `t.yaml:3: cannot unmarshal`} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "source.raw") {
		t.Errorf("a Go type name leaks to authors: %s", got)
	}
}
