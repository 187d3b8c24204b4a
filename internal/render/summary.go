package render

import (
	"fmt"
	"html"
	"strings"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/summary"
)

// summaryKeys are the message keys of summaries, pages and drafts.
func summaryKeys() []string {
	keys := []string{
		"summary.heading", "summary.answers", "summary.law", "summary.claim", "summary.deadlines",
		"summary.next", "summary.have", "summary.missing", "summary.none_yet", "summary.updated",
		"summary.masked", "summary.prefilled", "summary.not_ready",
		"page.title", "page.print", "page.other_lang",
		"draft.title.merchant", "draft.title.platform", "draft.title.12315",
		"draft.merchant.greeting", "draft.platform.greeting", "draft.12315.greeting",
		"draft.facts", "draft.demand", "draft.basis", "draft.evidence",
		"draft.merchant.closing", "draft.platform.closing", "draft.12315.closing",
		"draft.12315.complainant", "draft.12315.respondent", "draft.signature", "draft.note", "draft.note_condition",
		"draft.channel_hint.merchant", "draft.channel_hint.platform", "draft.channel_hint.12315",
	}
	return append(keys, engine.DraftFieldKeys()...)
}

// answerText renders one answered question as "question — answer".
func (r *Renderer) answerText(lang string, a summary.Answer) (string, error) {
	q, err := r.T(lang, a.Question, nil)
	if err != nil {
		return "", err
	}
	v := r.answer(lang, a.Fact, a.Value)
	if a.Option != "" {
		if v, err = r.T(lang, a.Option, nil); err != nil {
			return "", err
		}
	}
	return q + " — " + v, nil
}

// factText renders one answer as a draft states it: "label: answer",
// where the label is the question's fact key (a noun phrase in the
// user's voice), never the bot's question.
func (r *Renderer) factText(lang string, a summary.Answer) (string, error) {
	label, err := r.T(lang, a.Question+engine.FactSuffix, nil)
	if err != nil {
		return "", err
	}
	v := r.answer(lang, a.Fact, a.Value)
	if a.Option != "" {
		if v, err = r.T(lang, a.Option, nil); err != nil {
			return "", err
		}
	}
	return label + colon(lang) + v, nil
}

// Summary renders the case summary card: what happened, the legal basis,
// the figure, deadlines, the next steps, and the evidence had and missing.
func (r *Renderer) Summary(lang string, s *summary.Summary, f Format) (string, error) {
	w := &writer{f: f}
	a := s.Advice
	cat, err := r.T(lang, "category."+s.Category, nil)
	if err != nil && s.Category != engine.Unknown {
		return "", err
	}
	head, err := r.T(lang, "summary.heading", map[string]any{"Category": cat})
	if err != nil {
		return "", err
	}
	title, err := r.T(lang, s.Title, data(lang, a.Facts))
	if err != nil {
		return "", err
	}
	w.bold("📋 " + head)
	w.nl()
	w.text(title)
	w.nl()
	section := func(key string) error { return r.section(w, lang, key) }
	if len(s.Answers) > 0 {
		if err := section("summary.answers"); err != nil {
			return "", err
		}
		for _, ans := range s.Answers {
			t, err := r.answerText(lang, ans)
			if err != nil {
				return "", err
			}
			w.text("• " + t)
			w.nl()
		}
	}
	if len(a.Compensation) > 0 {
		if err := section("summary.claim"); err != nil {
			return "", err
		}
		for _, c := range a.Compensation {
			if err := r.compensationLine(w, lang, c); err != nil {
				return "", err
			}
		}
	}
	if len(a.Deadlines) > 0 {
		if err := section("summary.deadlines"); err != nil {
			return "", err
		}
		for _, d := range a.Deadlines {
			if err := r.deadline(w, lang, d); err != nil {
				return "", err
			}
		}
	}
	if err := section("summary.law"); err != nil {
		return "", err
	}
	for _, id := range a.Law {
		if err := r.lawLine(w, lang, id); err != nil {
			return "", err
		}
	}
	if len(a.Steps) > 0 {
		if err := section("summary.next"); err != nil {
			return "", err
		}
		for i, st := range a.Steps {
			t, err := r.T(lang, st.Key, data(lang, a.Facts))
			if err != nil {
				return "", err
			}
			w.text(fmt.Sprintf("%d. %s", i+1, t))
			w.nl()
		}
	}
	for _, part := range []struct {
		key string
		ids []string
		box string
	}{{"summary.have", s.Have, "✅ "}, {"summary.missing", s.Missing, "⬜ "}} {
		if err := section(part.key); err != nil {
			return "", err
		}
		if len(part.ids) == 0 {
			t, err := r.T(lang, "summary.none_yet", nil)
			if err != nil {
				return "", err
			}
			w.text(t)
			w.nl()
		}
		for _, id := range part.ids {
			name, err := r.T(lang, "evidence."+id, nil)
			if err != nil {
				return "", err
			}
			w.text(part.box + name)
			w.nl()
		}
	}
	foot, err := r.T(lang, "summary.updated", map[string]any{"Date": Date(lang, s.Updated.In(engine.China).Format(engine.DateLayout))})
	if err != nil {
		return "", err
	}
	w.nl()
	w.italic(foot)
	if s.Shared {
		m, err := r.T(lang, "summary.masked", nil)
		if err != nil {
			return "", err
		}
		w.text(" ")
		w.italic(m)
	}
	disc, err := r.T(lang, "outcome.disclaimer", nil)
	if err != nil {
		return "", err
	}
	w.nl()
	w.italic("ℹ️ " + disc)
	return w.String(), nil
}

// Page renders the summary as a self-contained, printable HTML document
// in the given languages (the first is the main one). It carries noindex:
// a shared link must never end up in a search engine.
func (r *Renderer) Page(langs []string, s *summary.Summary) (string, error) {
	if len(langs) == 0 {
		return "", fmt.Errorf("no language for the page")
	}
	title, err := r.T(langs[0], "page.title", nil)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	htmlLang := "en"
	if Lang(langs[0]) == ZH {
		htmlLang = "zh-CN"
	}
	fmt.Fprintf(&b, `<!doctype html>
<html lang="%s">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>%s</title>
<style>
body{font:16px/1.55 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:46rem;margin:1.5rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.4rem;border-bottom:1px solid #ddd}
section.case{page-break-after:always}ul{padding-left:1.2rem}li{margin:.25rem 0}
.have{color:#0a6b2d}.missing{color:#8a5300}.note{color:#555;font-size:.9rem}
@media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none}}
</style>
</head>
<body>
`, htmlLang, html.EscapeString(title))
	for _, lang := range langs {
		text, err := r.Summary(lang, s, HTML)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "<section class=\"case\" lang=\"%s\">\n%s\n</section>\n", Lang(lang), pageBody(text))
	}
	b.WriteString("</body>\n</html>\n")
	return b.String(), nil
}

// pageBody turns the Telegram-style HTML of a summary (b, i and line
// breaks) into page markup: the first bold line is the heading, bold lines
// open sections, "•"/"✅"/"⬜" lines become list items.
func pageBody(text string) string {
	var b strings.Builder
	inList := false
	closeList := func() {
		if inList {
			b.WriteString("</ul>\n")
			inList = false
		}
	}
	first := true
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			closeList()
		case strings.HasPrefix(line, "<b>") && strings.HasSuffix(line, "</b>"):
			closeList()
			tag := "h2"
			if first {
				tag, first = "h1", false
			}
			fmt.Fprintf(&b, "<%s>%s</%s>\n", tag, strings.TrimSuffix(strings.TrimPrefix(line, "<b>"), "</b>"), tag)
		case strings.HasPrefix(line, "• "), strings.HasPrefix(line, "✅"), strings.HasPrefix(line, "⬜"), strings.HasPrefix(line, "💰"), strings.HasPrefix(line, "⏰"):
			if !inList {
				b.WriteString("<ul>\n")
				inList = true
			}
			class := ""
			if strings.HasPrefix(line, "✅") {
				class = ` class="have"`
			} else if strings.HasPrefix(line, "⬜") {
				class = ` class="missing"`
			}
			fmt.Fprintf(&b, "<li%s>%s</li>\n", class, strings.TrimPrefix(line, "• "))
		case strings.HasPrefix(line, "<i>"):
			closeList()
			fmt.Fprintf(&b, "<p class=\"note\">%s</p>\n", line)
		default:
			closeList()
			fmt.Fprintf(&b, "<p>%s</p>\n", line)
		}
	}
	closeList()
	return b.String()
}

// Draft renders a complaint text for channel ("merchant", "platform",
// "12315") in lang, from the user's private (unmasked) summary: it goes
// to the user to send, and 12315 requires their real identity.
func (r *Renderer) Draft(lang, channel string, s *summary.Summary) (string, error) {
	a := s.Advice
	f := a.Facts
	d := map[string]any{
		"Merchant": f["merchant_name"], "MerchantAddress": f["merchant_address"], "Demand": f["demand"],
		"Name": f["complainant_name"], "Phone": f["complainant_phone"], "Address": f["complainant_address"],
	}
	var b strings.Builder
	line := func(key string) error {
		t, err := r.T(lang, key, d)
		if err != nil {
			return err
		}
		b.WriteString(t + "\n")
		return nil
	}
	if err := line("draft.title." + channel); err != nil {
		return "", err
	}
	b.WriteString("\n")
	if channel == "12315" {
		if err := line("draft.12315.complainant"); err != nil {
			return "", err
		}
		if err := line("draft.12315.respondent"); err != nil {
			return "", err
		}
		b.WriteString("\n")
	}
	if err := line("draft." + channel + ".greeting"); err != nil {
		return "", err
	}
	b.WriteString("\n")
	if err := line("draft.facts"); err != nil {
		return "", err
	}
	for _, ans := range s.Answers {
		t, err := r.factText(lang, ans)
		if err != nil {
			return "", err
		}
		b.WriteString("- " + t + "\n")
	}
	b.WriteString("\n")
	if err := line("draft.demand"); err != nil {
		return "", err
	}
	for _, c := range a.Compensation {
		t, err := r.compensationText(lang, c)
		if err != nil {
			return "", err
		}
		cite, _ := r.laws.ShortCites(c.Law, Lang(lang))
		b.WriteString("- " + t + paren(lang, cite) + "\n")
	}
	b.WriteString("\n")
	if err := line("draft.basis"); err != nil {
		return "", err
	}
	for _, id := range append(append([]string(nil), a.Law...), engine.DraftLaws[channel]...) {
		c, ok := r.laws.Cite(id, lang)
		if !ok {
			return "", fmt.Errorf("law %q not in the registry", id)
		}
		b.WriteString("- " + c + colon(lang) + r.laws.Entries[id].Says.In(Lang(lang)) + "\n")
	}
	if len(s.Have) > 0 {
		b.WriteString("\n")
		if err := line("draft.evidence"); err != nil {
			return "", err
		}
		for _, id := range s.Have {
			name, err := r.T(lang, "evidence."+id, nil)
			if err != nil {
				return "", err
			}
			b.WriteString("- " + name + "\n")
		}
	}
	b.WriteString("\n")
	if err := line("draft." + channel + ".closing"); err != nil {
		return "", err
	}
	if err := line("draft.signature"); err != nil {
		return "", err
	}
	// A note to the sender, after the text, so it is deleted in one go.
	b.WriteString("\n")
	if err := line("draft.note"); err != nil {
		return "", err
	}
	for _, c := range a.Compensation {
		if c.Established {
			continue
		}
		// The letter demands a figure the answers do not establish: the
		// sender must know what it rests on before sending it.
		cond, err := r.T(lang, "compensation."+c.Rule+".condition", nil)
		if err != nil {
			return "", err
		}
		t, err := r.T(lang, "draft.note_condition", map[string]any{"Condition": cond})
		if err != nil {
			return "", err
		}
		b.WriteString(t + "\n")
	}
	return strings.TrimRight(b.String(), "\n"), nil
}
