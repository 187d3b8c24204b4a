package bot

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// data is the callback data of a decoded tap, the inverse of parseTap.
func (t tap) data() string {
	switch t.kind {
	case 'b':
		return "b:" + t.token
	case 'l':
		return "l:" + t.value
	case 'f', 'd':
		if t.token != "" {
			return string(t.kind) + ":" + t.token + ":" + t.value
		}
		return string(t.kind) + ":" + t.value
	}
	return string(t.kind) + ":" + t.token + ":" + t.value
}

// FuzzParseTap: callback data is accepted only as encode or the bot's
// keyboards make it; what is accepted re-encodes to the same bytes, and
// for an engine event, encode gives it back. Seeds: every format, and
// testdata/fuzz/FuzzParseTap.
func FuzzParseTap(f *testing.F) {
	for _, s := range []string{"c:1a:forced_login", "a:7:yes", "a:7:food_safety", "b:k2", "t:1z:refusal_video", "f:yes", "f:8vt43mro:no",
		"l:zh", "s:1z:sum", "s:1z:law", "d:merchant", "d:zh:12315", "c:1a:", "x:1", "c:1A:opt"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		tp, ok := parseTap(data)
		if !ok {
			return
		}
		if len(data) > maxCallbackData {
			t.Fatalf("accepted %d bytes", len(data))
		}
		if got := tp.data(); got != data {
			t.Fatalf("parseTap(%q) = %+v, which encodes as %q", data, tp, got)
		}
		switch tp.kind {
		case 'c', 'a', 'b', 't':
		case 'd':
			if tp.token != "" {
				return
			}
		default:
			return
		}
		if enc, ok := encode(tp.event()); !ok || enc != data {
			t.Fatalf("encode(event of %q) = %q, %v", data, enc, ok)
		}
	})
}

// FuzzSplit: any message the bot could send (text, escaped, in a tag or
// not) splits into chunks within the limit, each valid HTML on its own and
// none blank, which together hold the whole text (checkChunks). Seeds:
// testdata/fuzz/FuzzSplit.
func FuzzSplit(f *testing.F) {
	f.Add("hello world", uint8(0), uint16(10))
	f.Add("第一段。\n\n第二段很长很长很长很长。", uint8(1), uint16(8))
	f.Add("a & b < c > d \"e\"", uint8(3), uint16(12))
	f.Add("👩\u200d💻👩\u200d💻👩\u200d💻 emoji", uint8(2), uint16(4))
	f.Fuzz(func(t *testing.T, text string, tags uint8, limit uint16) {
		if !utf8.ValidString(text) {
			return
		}
		in := escape(text)
		if tags&1 != 0 {
			in = "<b>" + in + "</b>"
		}
		if tags&2 != 0 {
			in = "<i>note</i>\n\n" + in + "\n<code>x</code>"
		}
		if tags&4 != 0 {
			in = `<a href="https://12315.cn/?a=1&amp;b=2">` + in + "</a>"
		}
		// The widest unit split cannot cut: a tag pair with an entity.
		lim := 64 + int(limit)%maxMessage
		checkChunks(t, in, split(in, lim), lim)
		// The short path's blank check reads text as the tokens do, on
		// any input, valid HTML or not.
		for _, s := range []string{text, in} {
			want := slices.ContainsFunc(tokenize(s), func(t token) bool { return t.kind != tagToken && !t.blank() })
			if got := hasText(s); got != want {
				t.Fatalf("hasText(%q) = %v, tokens say %v", s, got, want)
			}
		}
	})
}
