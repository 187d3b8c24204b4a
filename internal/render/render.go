// Package render turns the engine's replies (message keys and data) into
// text in one language. It is the only user of go-i18n. A missing message is
// an error, never an empty string: lint guarantees completeness, and the
// front ends answer an error with an apology rather than silence.
package render

import (
	"fmt"
	"html"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/law"
)

// Format is the markup of rendered text.
type Format int

const (
	// Plain text, for the terminal and files.
	Plain Format = iota
	// HTML as Telegram's parse mode understands it (b, i, code); every
	// value is escaped.
	HTML
)

// Message is one rendered message.
type Message struct {
	Text    string
	Buttons [][]Button
}

// Button is a button with the event it fires. Front ends encode the event
// in their own way (Telegram callback data, a number in the terminal).
type Button struct {
	Text  string
	Event engine.Event
}

// Renderer renders replies in the languages of its bundle.
type Renderer struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	laws       *law.Registry
}

// Languages supported, and the fallback for anything else.
const (
	ZH = "zh"
	EN = "en"
)

// New loads the message files (<group>.<lang>.yaml) from locales.
func New(locales fs.FS, laws *law.Registry) (*Renderer, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	names, err := fs.Glob(locales, "*.yaml")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		data, err := fs.ReadFile(locales, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if _, err := b.ParseMessageFileBytes(data, name); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
	}
	return &Renderer{
		bundle: b,
		localizers: map[string]*i18n.Localizer{
			ZH: i18n.NewLocalizer(b, "zh"),
			EN: i18n.NewLocalizer(b, "en"),
		},
		laws: laws,
	}, nil
}

// Lang maps any language tag (Telegram's language_code, $LANG) to zh or en.
func Lang(tag string) string {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(tag)), "zh") {
		return ZH
	}
	return EN
}

// T localizes one key with data. Data values are used as given; escaping
// is done by the caller that knows the format.
func (r *Renderer) T(lang, key string, data map[string]any) (string, error) {
	return r.t(lang, key, data, nil)
}

func (r *Renderer) t(lang, key string, data map[string]any, count any) (string, error) {
	loc := r.localizers[Lang(lang)]
	cfg := &i18n.LocalizeConfig{MessageID: key, TemplateData: data}
	if count != nil {
		cfg.PluralCount = count
	}
	// Only the requested language counts: go-i18n would otherwise fall back
	// to English silently and report the miss as an error we must not hide.
	s, tag, err := loc.LocalizeWithTag(cfg)
	if err != nil {
		return "", fmt.Errorf("message %q (%s): %w", key, lang, err)
	}
	if base, _ := tag.Base(); base.String() != Lang(lang) {
		return "", fmt.Errorf("message %q missing in %s", key, lang)
	}
	if strings.Contains(s, "<no value>") {
		return "", fmt.Errorf("message %q (%s): template data missing", key, lang)
	}
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("message %q is empty in %s", key, lang)
	}
	return s, nil
}

// Date formats a YYYY-MM-DD fact for lang: "2026年12月3日" or "3 December 2026".
func Date(lang, ymd string) string {
	d, err := time.Parse(engine.DateLayout, ymd)
	if err != nil {
		return ymd
	}
	if Lang(lang) == ZH {
		return fmt.Sprintf("%d年%d月%d日", d.Year(), d.Month(), d.Day())
	}
	return d.Format("2 January 2006")
}

// Money formats a yuan amount ("1299.50") as "¥1,299.50", dropping ".00".
func Money(amount string) string {
	f, err := strconv.ParseFloat(amount, 64)
	if err != nil {
		return amount
	}
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimSuffix(s, ".00")
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := "¥" + b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// writer builds a message in one format, escaping all text.
type writer struct {
	f Format
	b strings.Builder
}

func (w *writer) text(s string) {
	if w.f == HTML {
		s = html.EscapeString(s)
	}
	w.b.WriteString(s)
}

func (w *writer) bold(s string) {
	if w.f == HTML {
		w.b.WriteString("<b>" + html.EscapeString(s) + "</b>")
		return
	}
	w.b.WriteString(s)
}

func (w *writer) italic(s string) {
	if w.f == HTML {
		w.b.WriteString("<i>" + html.EscapeString(s) + "</i>")
		return
	}
	w.b.WriteString(s)
}

func (w *writer) nl() { w.b.WriteByte('\n') }

func (w *writer) String() string { return strings.TrimRight(w.b.String(), "\n") }

// colon and paren follow each language's punctuation: full-width in
// Chinese, so a citation reads naturally in both.
func colon(lang string) string {
	if Lang(lang) == ZH {
		return "："
	}
	return ": "
}

func paren(lang, s string) string {
	if Lang(lang) == ZH {
		return "（" + s + "）"
	}
	return " (" + s + ")"
}

// gap separates a note from the text before it: Chinese sets no space
// before its full-width brackets.
func gap(lang string) string {
	if Lang(lang) == ZH {
		return ""
	}
	return " "
}
