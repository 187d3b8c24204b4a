package engine

import "testing"

// TestControlCharactersStripped: control characters in typed text are
// removed (line breaks and tabs read as a space), never turned into an
// answer of blanks (issue 11, defect 11). Every kind of input and every
// draft detail cleans alike.
func TestControlCharactersStripped(t *testing.T) {
	now := noon("2026-11-26")
	text := &InputSpec{Kind: TextInput}
	tests := []parseCase{
		{"DEL alone is empty", text, "\x7f", "", "input.empty"},
		{"NUL and DEL alone are empty", text, " \x00\x7f ", "", "input.empty"},
		{"C1 control alone is empty", text, "\u0085\u009b", "", "input.empty"},
		{"control inside a word removed", text, "Shop\x00A", "ShopA", ""},
		{"escape sequence removed", text, "Hot\x1b[31mpot", "Hot[31mpot", ""},
		{"line break reads as a space", text, "1 Road\nBeijing", "1 Road Beijing", ""},
		{"tab reads as a space", text, "a\tb", "a b", ""},
		{"bidi override removed", text, "abc\u202edef", "abcdef", ""},
		{"emoji joiner kept", text, "👩\u200d💻", "👩\u200d💻", ""},
		{"money with DEL", &InputSpec{Kind: MoneyInput}, "299\x7f", "299.00", ""},
		{"money DEL alone is empty", &InputSpec{Kind: MoneyInput}, "\x7f", "", "input.empty"},
		{"date with NUL", &InputSpec{Kind: DateInput}, "2026-11-\x0020", "2026-11-20", ""},
		{"yes with bell", &InputSpec{Kind: YesNoInput}, "yes\a", "yes", ""},
		{"draft detail", draftFieldSpec, "\x7fLi\x00 Wei\x7f", "Li Wei", ""},
	}
	checkParseInput(t, now, tests)
}

// TestDraftFieldOfControlsIsReasked: a draft detail of control characters
// alone is not saved as a blank detail.
func TestDraftFieldOfControlsIsReasked(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := toBigOutcome(cat, Session{}, now)
	r = Step(cat, r.Session, Event{Kind: Draft, Option: "merchant", Now: now})
	r = Step(cat, r.Session, Event{Kind: Text, Text: "\x7f", Now: now})
	if _, ok := r.Session.Facts["merchant_name"]; ok {
		t.Fatalf("a DEL was saved as the merchant's name: %q", r.Session.Facts["merchant_name"])
	}
	if !hasNotice(r, "input.empty") {
		t.Fatalf("replies %+v, want input.empty", r.Replies)
	}
}
