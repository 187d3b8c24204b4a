package redisstore

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
)

// consultation is a session after seven answers, each adding facts, with a
// jump between trees and an answer that changed a fact.
func consultation() engine.Session {
	facts := map[string]string{}
	var hist []engine.Frame
	answers := []struct{ tree, node, answer, key, value string }{
		{"menu", "pick", "quality_defect", "", ""},
		{"quality_defect", "what", "broken", "defect", "broken"},
		{"quality_defect", "bought", "online", "channel", "online"},
		{"quality_defect", "seller", "platform", "seller", "platform"},
		{"quality_defect", "price", "299.00", "price", "299.00"},
		{"quality_defect", "again", "shop", "channel", "offline"}, // changes a fact
		{"quality_defect", "received", "2026-11-20", "received", "2026-11-20"},
	}
	for _, a := range answers {
		before := map[string]string{}
		for k, v := range facts {
			before[k] = v
		}
		if len(before) == 0 {
			before = nil
		}
		hist = append(hist, engine.Frame{Tree: a.tree, TreeVersion: 1, Node: a.node, Answer: a.answer, Facts: before})
		if a.key != "" {
			facts[a.key] = a.value
		}
	}
	t := time.Date(2026, 12, 3, 7, 0, 0, 123456789, time.UTC)
	return engine.Session{Version: 8, Lang: "zh", Tree: "quality_defect", TreeVersion: 1, Node: "outcome", Facts: facts,
		History: hist, Seq: 696799009439, At: "8w3s50nz", Recent: []string{"925", "930", "935"},
		Evidence: map[string]bool{"receipt": true}, Created: t, Updated: t.Add(time.Minute)}
}

func TestCompactRoundTrip(t *testing.T) {
	tests := map[string]engine.Session{
		"consultation":         consultation(),
		"zero":                 {},
		"frame without a tree": {Tree: "t", TreeVersion: 2, History: []engine.Frame{{Node: "a"}, {Tree: "t", TreeVersion: 1, Node: "b"}}},
		"ids with commas":      {Recent: []string{"a,b", "c"}},
		"an empty id":          {Recent: []string{"", "c"}},
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			data, err := encode(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, in) {
				t.Fatalf("round trip:\n got %+v\nwant %+v\nfrom %s", got, in, data)
			}
		})
	}
}

// Sessions stored before the compact format are read as they were.
func TestFormat1StillReads(t *testing.T) {
	in := consultation()
	old, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decode(old)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Fatalf("format 1:\n got %+v\nwant %+v", got, in)
	}
	if _, err := decode([]byte(`{"v":1,"z":3}`)); err == nil {
		t.Fatal("a format from a later release was read")
	}
}

func TestCompactIsSmaller(t *testing.T) {
	in := consultation()
	old, _ := json.Marshal(in)
	data, _ := encode(in)
	if len(data)*3 > len(old)*2 {
		t.Fatalf("compact %d bytes, format 1 %d: want a third less at least", len(data), len(old))
	}
	t.Logf("compact %d bytes, format 1 %d:\n%s", len(data), len(old), data)
}
