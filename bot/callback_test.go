package bot

import (
	"strings"
	"testing"

	"github.com/disputebot/disputebot/internal/engine"
)

func TestParseTap(t *testing.T) {
	tests := []struct {
		data string
		want tap
		ok   bool
	}{
		{"c:1a:forced_login", tap{kind: 'c', token: "1a", value: "forced_login"}, true},
		{"c:zzzzzzzz:x", tap{kind: 'c', token: "zzzzzzzz", value: "x"}, true},
		{"a:7:yes", tap{kind: 'a', token: "7", value: "yes"}, true},
		{"a:7:no", tap{kind: 'a', token: "7", value: "no"}, true},
		{"a:7:food_safety", tap{kind: 'a', token: "7", value: "food_safety"}, true},
		{"b:k2", tap{kind: 'b', token: "k2"}, true},
		{"t:1z:refusal_video", tap{kind: 't', token: "1z", value: "refusal_video"}, true},
		{"t:refusal_video", tap{}, false},             // the old format, without a step token
		{"f:yes", tap{kind: 'f', value: "yes"}, true}, // legacy, refused when handled
		{"f:no", tap{kind: 'f', value: "no"}, true},
		{"f:8vt43mro:yes", tap{kind: 'f', token: "8vt43mro", value: "yes"}, true},
		{"f:8vt43mro:no", tap{kind: 'f', token: "8vt43mro", value: "no"}, true},
		{"f:8vt43mro:maybe", tap{}, false},
		{"f::yes", tap{}, false},
		{"f:X:yes", tap{}, false},
		{"l:zh", tap{kind: 'l', value: "zh"}, true},
		{"l:en", tap{kind: 'l', value: "en"}, true},
		{"s:1z:sum", tap{kind: 's', token: "1z", value: "sum"}, true},
		{"s:1z:share", tap{kind: 's', token: "1z", value: "share"}, true},
		{"s:1z:dl", tap{kind: 's', token: "1z", value: "dl"}, true},
		{"s:1z:draft", tap{kind: 's', token: "1z", value: "draft"}, true},
		{"s:1z:filed", tap{kind: 's', token: "1z", value: "filed"}, true},
		{"s:sum", tap{}, false}, // the old format, without the outcome's token
		{"d:merchant", tap{kind: 'd', value: "merchant"}, true},
		{"d:platform", tap{kind: 'd', value: "platform"}, true},
		{"d:12315", tap{kind: 'd', value: "12315"}, true},
		{"d:zh:12315", tap{kind: 'd', token: "zh", value: "12315"}, true},

		{"", tap{}, false},
		{"c:", tap{}, false},
		{"c:1a", tap{}, false},
		{"c:1a:", tap{}, false},
		{"c::opt", tap{}, false},
		{"c:1A:opt", tap{}, false},                       // tokens are lower case
		{"c:123456789:opt", tap{}, false},                // token too long
		{"c:1:opt:extra", tap{}, false},                  // ':' is not in an id
		{"c:1:<script>", tap{}, false},                   // nor markup
		{"c:1:选项", tap{}, false},                         // nor other scripts
		{"a:1:no way", tap{}, false},                     // yes, no or a category id
		{"b:", tap{}, false},                             //
		{"b:1:x", tap{}, false},                          //
		{"t:", tap{}, false},                             //
		{"t:a b", tap{}, false},                          //
		{"f:YES", tap{}, false},                          //
		{"l:fr", tap{}, false},                           //
		{"s:", tap{}, false},                             //
		{"s:1:print", tap{}, false},                      // unknown action
		{"s:sum:1", tap{}, false},                        // token and action swapped
		{"d:", tap{}, false},                             //
		{"d:court", tap{}, false},                        // unknown channel
		{"d:en:12315", tap{}, false},                     // only a Chinese version
		{"d:zh:", tap{}, false},                          //
		{"d:zh:zh:12315", tap{}, false},                  //
		{"d:zh:12315:x", tap{}, false},                   //
		{"x:1:a", tap{}, false},                          // unknown kind
		{"v1:1:a", tap{}, false},                         // older or foreign format
		{"c:1:" + strings.Repeat("a", 61), tap{}, false}, // over 64 bytes
	}
	for _, tt := range tests {
		t.Run(tt.data, func(t *testing.T) {
			got, ok := parseTap(tt.data)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("parseTap(%q) = %+v, %v; want %+v, %v", tt.data, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	tests := []struct {
		ev   engine.Event
		data string
	}{
		{engine.Event{Kind: engine.Choose, Token: engine.Token(42), Option: "shop"}, "c:16:shop"},
		{engine.Event{Kind: engine.Accept, Token: "3", Option: "yes"}, "a:3:yes"},
		{engine.Event{Kind: engine.Back, Token: "3"}, "b:3"},
		{engine.Event{Kind: engine.Tick, Token: "5", Option: "receipt"}, "t:5:receipt"},
		{engine.Event{Kind: engine.Draft, Option: "12315"}, "d:12315"},
	}
	for _, tt := range tests {
		t.Run(tt.data, func(t *testing.T) {
			data, ok := encode(tt.ev)
			if !ok || data != tt.data {
				t.Fatalf("encode = %q, %v; want %q", data, ok, tt.data)
			}
			tp, ok := parseTap(data)
			if !ok || tp.event() != tt.ev {
				t.Fatalf("round trip gives %+v", tp.event())
			}
		})
	}
	if _, ok := encode(engine.Event{Kind: engine.Choose, Token: "1", Option: strings.Repeat("o", 70)}); ok {
		t.Error("encode accepted data over 64 bytes")
	}
	if _, ok := encode(engine.Event{Kind: engine.Show}); ok {
		t.Error("encode accepted an event no button carries")
	}
}
