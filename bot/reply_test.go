package bot

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/bot/telegramtest"
)

// TestEntitiesHTML: the HTML rebuilt from a message's text and entities
// (what Telegram returns) means what the bot sent.
func TestEntitiesHTML(t *testing.T) {
	tests := []string{
		"plain text",
		"<b>⚖️ Title</b>\nsummary &amp; more &lt;3",
		"<i>italic <b>bold inside</b> after</i> 😀 <b>x</b>",
		`see <a href="https://t.me/x?start=a&amp;b">the link</a>, 你好`,
		"<code>a&lt;b</code> <pre>pre</pre> <u>u</u> <s>s</s> <tg-spoiler>hidden</tg-spoiler>",
		"emoji 😀😀 <b>after 😀 emoji</b>",
		"",
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			text, ents, err := telegramtest.ParseHTML(in)
			if err != nil {
				t.Fatal(err)
			}
			out := entitiesHTML(text, ents)
			text2, ents2, err := telegramtest.ParseHTML(out)
			if err != nil {
				t.Fatalf("rebuilt HTML does not parse: %v\n%s", err, out)
			}
			if text2 != text || fmt.Sprint(ents2) != fmt.Sprint(ents) {
				t.Fatalf("round trip changed the message:\n in %q %v\nout %q %v", text, ents, text2, ents2)
			}
		})
	}
}

func TestEntitiesHTMLOverlapping(t *testing.T) {
	// Telegram allows entities that overlap without nesting; HTML does not.
	text := "abcdef"
	ents := []models.MessageEntity{{Type: models.MessageEntityTypeBold, Offset: 0, Length: 4}, {Type: models.MessageEntityTypeItalic, Offset: 2, Length: 4}}
	out := entitiesHTML(text, ents)
	if out != "<b>ab<i>cd</i></b><i>ef</i>" {
		t.Fatalf("got %q", out)
	}
	if _, _, err := telegramtest.ParseHTML(out); err != nil {
		t.Fatal(err)
	}
}

func TestJoin(t *testing.T) {
	kb := [][]models.InlineKeyboardButton{{{Text: "a", CallbackData: "l:en"}}}
	tests := []struct {
		name string
		in   []outgoing
		want []string // texts; "*" marks a keyboard
	}{
		{"notice joins the question after it", []outgoing{{text: "notice"}, {text: "question", keyboard: kb}}, []string{"notice\n\nquestion*"}},
		{"nothing joins a message with buttons", []outgoing{{text: "q1", keyboard: kb}, {text: "q2", keyboard: kb}}, []string{"q1*", "q2*"}},
		{"three short ones", []outgoing{{text: "a"}, {text: "b"}, {text: "c"}}, []string{"a\n\nb\n\nc"}},
		{"too long to join", []outgoing{{text: strings.Repeat("x", 60)}, {text: strings.Repeat("y", 60)}}, []string{strings.Repeat("x", 60), strings.Repeat("y", 60)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, o := range join(tt.in, 100) {
				s := o.text
				if len(o.keyboard) > 0 {
					s += "*"
				}
				got = append(got, s)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text string
		want command
		ok   bool
	}{
		{"/start", command{name: "start"}, true},
		{"/START quality_defect", command{name: "start", arg: "quality_defect"}, true},
		{"/help@Dispute_Bot", command{name: "help", to: "Dispute_Bot"}, true},
		{"/new my kettle broke\nyesterday", command{name: "new", arg: "my kettle broke\nyesterday"}, true},
		{"/new\nmy kettle broke", command{name: "new", arg: "my kettle broke"}, true},
		{"/lang   zh  ", command{name: "lang", arg: "zh"}, true},
		{"hello /start", command{}, false},
		{"/", command{}, false},
		{"/退款", command{}, false},
		{"/ start", command{}, false},
		{"/" + strings.Repeat("a", 33), command{}, false},
	}
	for _, tt := range tests {
		got, ok := parseCommand(tt.text)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseCommand(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}
