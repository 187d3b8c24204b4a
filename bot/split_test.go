package bot

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/disputebot/disputebot/bot/telegramtest"
)

func TestSplit(t *testing.T) {
	para := func(c string, n int) string { return strings.Repeat(c, n) }
	long := strings.Repeat("<b>⚖️ 标题 Title</b>\n说明 explanation &amp; more, with an emoji 😀 and a <i>hint</i>.\n\n", 120)
	tests := []struct {
		name  string
		in    string
		limit int
		want  []string // nil: only check the invariants
		count int      // expected number of chunks when want is nil (0: any)
	}{
		{name: "short message unchanged", in: "<b>Hello</b> &amp; welcome", limit: 100, want: []string{"<b>Hello</b> &amp; welcome"}},
		{name: "empty gives nothing", in: "", limit: 100, want: nil, count: 0},
		{name: "blank gives nothing", in: " \n\n ", limit: 100, want: nil, count: 0},
		{name: "paragraphs packed greedily", in: para("a", 40) + "\n\n" + para("b", 40) + "\n\n" + para("c", 40), limit: 100,
			want: []string{para("a", 40) + "\n\n" + para("b", 40), para("c", 40)}},
		{name: "paragraph break preferred to line break", in: para("a", 30) + "\n\n" + para("b", 30) + "\n" + para("c", 30) + "\n" + para("d", 30), limit: 100,
			want: []string{para("a", 30) + "\n\n" + para("b", 30) + "\n" + para("c", 30), para("d", 30)}},
		{name: "long paragraph cut at lines", in: para("a", 60) + "\n" + para("b", 60) + "\n" + para("c", 60), limit: 100,
			want: []string{para("a", 60), para("b", 60), para("c", 60)}},
		{name: "long line cut at spaces", in: strings.TrimSpace(strings.Repeat("word ", 50)), limit: 52,
			want: []string{strings.TrimSpace(strings.Repeat("word ", 10)), strings.TrimSpace(strings.Repeat("word ", 10)), strings.TrimSpace(strings.Repeat("word ", 10)), strings.TrimSpace(strings.Repeat("word ", 10)), strings.TrimSpace(strings.Repeat("word ", 10))}},
		{name: "chinese without spaces cut between characters", in: para("消", 250), limit: 100,
			want: []string{para("消", 100), para("消", 100), para("消", 50)}},
		{name: "bold closed and reopened across a cut", in: "<b>" + para("x", 150) + "</b>", limit: 100,
			want: []string{"<b>" + para("x", 93) + "</b>", "<b>" + para("x", 57) + "</b>"}},
		{name: "entities never cut", in: strings.Repeat("&amp;", 30), limit: 52, count: 3},
		{name: "emoji count two units", in: strings.Repeat("😀", 60), limit: 100, count: 2},
		{name: "nested tags and a link", in: `<a href="https://t.me/x"><b>` + strings.Repeat("link text ", 30) + `</b></a>`, limit: 120},
		{name: "10000-character message with tags", in: long[:strings.LastIndex(long[:10000], "\n\n")], limit: maxMessage},
		{name: "10000 characters of one unbroken line", in: strings.Repeat("长", 10000), limit: maxMessage, count: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := split(tt.in, tt.limit)
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Fatalf("split:\n got %q\nwant %q", got, tt.want)
			}
			if tt.want == nil && tt.count > 0 && len(got) != tt.count {
				t.Fatalf("got %d chunks, want %d: %q", len(got), tt.count, got)
			}
			checkChunks(t, tt.in, got, tt.limit)
		})
	}
}

// checkChunks asserts what every split must give: chunks within the limit,
// each valid Telegram HTML, none blank, and together the whole text.
func checkChunks(t *testing.T, in string, chunks []string, limit int) {
	t.Helper()
	var joined strings.Builder
	for i, c := range chunks {
		if n := utf16Len(c); n > limit {
			t.Errorf("chunk %d has %d units, limit %d", i, n, limit)
		}
		text, _, err := telegramtest.ParseHTML(c)
		if err != nil {
			t.Errorf("chunk %d is not valid HTML: %v\n%q", i, err, c)
		}
		if strings.TrimSpace(text) == "" {
			t.Errorf("chunk %d is blank", i)
		}
		joined.WriteString(text)
	}
	want, _, err := telegramtest.ParseHTML(in)
	if err != nil {
		t.Fatalf("input is not valid HTML: %v", err)
	}
	if noSpace(joined.String()) != noSpace(want) {
		t.Errorf("chunks lose or add text")
	}
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
