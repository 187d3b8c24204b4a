package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
)

// menuCommands are registered with setMyCommands, in menu order. /restart
// works too but stays out of the menu, which should be short on a phone.
var menuCommands = []string{"start", "new", "back", "summary", "lang", "privacy", "forget", "help"}

// command is a parsed "/name@bot arg".
type command struct {
	name string // lower case; "" for a command meant for another bot
	to   string // the @bot it is addressed to, "" if none
	arg  string
}

// parseCommand reads a message starting with a command.
func parseCommand(text string) (command, bool) {
	if !strings.HasPrefix(text, "/") {
		return command{}, false
	}
	head, arg, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexAny(head, "\n\t"); i >= 0 {
		head, arg = head[:i], head[i+1:]+" "+arg
	}
	name, to, _ := strings.Cut(head, "@")
	if name == "" || len(name) > 32 {
		return command{}, false
	}
	for _, r := range name {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')) {
			return command{}, false
		}
	}
	return command{name: strings.ToLower(name), to: to, arg: strings.TrimSpace(arg)}, true
}

// knownCommands are the commands the bot answers, for logging a command's
// name (an unknown one is logged as "unknown", never as typed).
var knownCommands = append([]string{"restart", "remind"}, menuCommands...)

// command runs a command in a private chat.
func (t *turn) command(ctx context.Context, c command) error {
	t.kind = "command:unknown"
	if slices.Contains(knownCommands, c.name) {
		t.kind = "command:" + c.name
	}
	switch c.name {
	case "start":
		return t.start(ctx, c.arg)
	case "new":
		if c.arg != "" {
			// "/new <what happened>": a description of the new case.
			if ev := t.b.adv.NewCaseEvent(c.arg); ev.Kind == engine.Propose {
				return t.step(ctx, ev)
			}
		}
		return t.step(ctx, engine.Event{Kind: engine.Start}, "notice.pick_category")
	case "back":
		return t.step(ctx, engine.Event{Kind: engine.Back})
	case "restart":
		return t.step(ctx, engine.Event{Kind: engine.Restart})
	case "summary":
		return t.summary(ctx)
	case "lang":
		if lang, ok := langArg(c.arg); ok {
			return t.step(ctx, engine.Event{Kind: engine.SetLang, Lang: lang})
		}
		lang := t.sessionLang(ctx)
		return t.send(ctx, lang, []outgoing{{text: t.tr(lang, "bot.lang.pick", nil), keyboard: [][]models.InlineKeyboardButton{{
			{Text: "中文", CallbackData: "l:zh"}, {Text: "English", CallbackData: "l:en"},
		}}}})
	case "help":
		return t.sayKey(ctx, "bot.help")
	case "privacy":
		lang := t.sessionLang(ctx)
		text := t.tr(lang, "bot.privacy", map[string]any{"Period": period(lang, t.b.cfg.SessionTTL)})
		if t.b.cfg.PersonalTTL > 0 {
			text += "\n\n" + t.tr(lang, "bot.privacy.personal", map[string]any{"Period": period(lang, t.b.cfg.PersonalTTL)})
		}
		if t.b.cfg.Reminders != nil {
			text += "\n\n" + t.tr(lang, "remind.privacy", nil)
		}
		return t.send(ctx, lang, []outgoing{{text: text}})
	case "remind":
		return t.remindCommand(ctx, c.arg)
	case "forget":
		// The buttons carry the step token of the case as it stands, so a
		// Yes tapped after the case moved on deletes nothing.
		s, err := t.b.adv.Session(ctx, t.key)
		if err != nil {
			return err
		}
		lang := t.sessionLang(ctx)
		tok := engine.Token(s.Seq)
		return t.send(ctx, lang, []outgoing{{text: t.tr(lang, "bot.forget.confirm", nil), keyboard: [][]models.InlineKeyboardButton{
			{{Text: t.tr(lang, "bot.forget.yes", nil), CallbackData: "f:" + tok + ":yes"}},
			{{Text: t.tr(lang, "bot.forget.no", nil), CallbackData: "f:" + tok + ":no"}},
		}}})
	}
	return t.show(ctx, "bot.notice.unknown_command")
}

// startSummary is the deep link (t.me/bot?start=summary) of the button
// the inline mode shows when it has no summary to offer.
const startSummary = "summary"

// start greets. A deep link (t.me/bot?start=<category>) opens that
// category; ?start=summary sends the case summary. Without one, a
// returning user is shown where they stopped rather than losing their case
// to a tap on Start; anyone else gets the menu.
func (t *turn) start(ctx context.Context, payload string) error {
	if payload == startSummary {
		// From the inline mode's button: the summary, with its actions.
		return t.summary(ctx)
	}
	if slices.Contains(engine.Categories, payload) && t.b.cfg.Catalog.Trees[payload] != nil {
		return t.step(ctx, engine.Event{Kind: engine.Start, Tree: payload}, "bot.welcome")
	}
	s, err := t.b.adv.Session(ctx, t.key)
	if err != nil {
		return err
	}
	if payload == "" && (s.Pending != nil || s.Tree != "" && s.Tree != t.b.cfg.Catalog.Menu) {
		return t.step(ctx, engine.Event{Kind: engine.Show}, "bot.welcome_back")
	}
	return t.step(ctx, engine.Event{Kind: engine.Start}, "bot.welcome", "notice.pick_category")
}

// langArg reads "/lang zh", "/lang English", "/lang 中文".
func langArg(arg string) (string, bool) {
	switch a := strings.ToLower(strings.TrimSpace(arg)); {
	case a == "zh" || strings.HasPrefix(a, "zh-") || a == "中文" || a == "chinese":
		return render.ZH, true
	case a == "en" || strings.HasPrefix(a, "en-") || a == "english" || a == "英文" || a == "英语":
		return render.EN, true
	}
	return "", false
}

// validPayload: what Telegram allows in a start parameter.
func validPayload(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	return isID(s)
}

// period says how long an idle session is kept: "30 days", "30天".
func period(lang string, d time.Duration) string {
	days, hours := int(d/(24*time.Hour)), int((d+time.Hour-1)/time.Hour)
	whole := d%(24*time.Hour) == 0
	switch {
	case lang == render.ZH && whole:
		return fmt.Sprintf("%d天", days)
	case lang == render.ZH:
		return fmt.Sprintf("%d小时", hours)
	case whole && days == 1:
		return "1 day"
	case whole:
		return fmt.Sprintf("%d days", days)
	case hours == 1:
		return "1 hour"
	}
	return fmt.Sprintf("%d hours", hours)
}

func equalFold(a, b string) bool { return a != "" && strings.EqualFold(a, b) }
