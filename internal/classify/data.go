package classify

import (
	"fmt"
	"io/fs"
	"path"
	"sort"

	"gopkg.in/yaml.v3"
)

// Example is one labelled message.
type Example struct {
	Text     string
	Category string
}

// ReadExamples reads every file matching pattern in fsys. Each file maps a
// category id to a list of messages. Unknown category ids are an error, so a
// typo in the data cannot silently create a ninth category.
func ReadExamples(fsys fs.FS, pattern string) ([]Example, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("classify: no files match %q", pattern)
	}
	sort.Strings(names)
	var out []Example
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ex, err := ParseExamples(b)
		if err != nil {
			return nil, fmt.Errorf("classify: %s: %w", path.Base(name), err)
		}
		out = append(out, ex...)
	}
	return out, nil
}

// ParseExamples parses one YAML document of the form
// {category: [message, ...]}. Order is kept: categories as they appear in
// the document, messages in order.
func ParseExamples(b []byte) ([]Example, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("top level must be a mapping of category to messages")
	}
	var out []Example
	for i := 0; i+1 < len(root.Content); i += 2 {
		cat := root.Content[i].Value
		if !validCategory(cat) {
			return nil, fmt.Errorf("line %d: unknown category %q", root.Content[i].Line, cat)
		}
		list := root.Content[i+1]
		if list.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("line %d: %s must be a list of messages", list.Line, cat)
		}
		for _, n := range list.Content {
			if n.Kind != yaml.ScalarNode || n.Value == "" {
				return nil, fmt.Errorf("line %d: each message must be a non-empty string", n.Line)
			}
			out = append(out, Example{Text: n.Value, Category: cat})
		}
	}
	return out, nil
}

func validCategory(c string) bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}
