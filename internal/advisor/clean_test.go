package advisor_test

import (
	"reflect"
	"testing"

	"github.com/disputebot/disputebot/internal/engine"
)

// TestTextEventCleansControlCharacters: typed text is read as it will be
// kept, so control characters change neither which option it picks nor how
// a description is classified (issue 11, defect 11).
func TestTextEventCleansControlCharacters(t *testing.T) {
	cat, r := shipped(t)
	a := realAdvisor(t, cat, r)
	menu := engine.Step(cat, engine.Session{}, engine.Event{Kind: engine.Start, Lang: "en"}).Session
	for _, tt := range []struct{ clean, dirty string }{
		{"1", "1\x7f"},
		{"1", "\x00 1 \x1b"},
		{"The shop refused to refund the broken phone I bought online", "The shop\x7f refused to refund\nthe broken phone I bought\x00 online\u202e"},
		{"网上买的手机坏了，商家拒绝退款", "网上买的手机\x7f坏了，商家拒绝\x00退款"},
	} {
		want, got := a.TextEvent(menu, tt.clean), a.TextEvent(menu, tt.dirty)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("TextEvent(%q) = %+v, want as for %q: %+v", tt.dirty, got, tt.clean, want)
		}
	}
}
