// Package console is the terminal chat: the same advisor, dialogs and
// messages as the Telegram bot, read from a line-oriented input so it works
// on a TTY and with piped, scripted input alike.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/summary"
)

// Chat is one terminal conversation.
type Chat struct {
	Advisor  *advisor.Advisor
	Renderer *render.Renderer
	// Summary renders the plain-text case summary for /summary.
	Summary func(s engine.Session, lang string) (string, error)
	Key     string // the session key, "cli:<user>"
	Lang    string
	In      io.Reader
	Out     io.Writer

	buttons []render.Button
}

// maxLine bounds one input line; longer lines are cut, not fatal.
const maxLine = 64 * 1024

// Run reads lines until EOF or /quit.
func (c *Chat) Run(ctx context.Context) error {
	sc := bufio.NewScanner(c.In)
	sc.Buffer(make([]byte, 4096), maxLine)
	sc.Split(scanLinesLenient)

	s, reps, err := c.Advisor.Current(ctx, c.Key)
	if err != nil {
		return err
	}
	if s.Lang == "" {
		s.Lang = c.Lang
	}
	if s.Tree == "" && s.Pending == nil {
		// A new user: greet and open the menu (saved, so its buttons work).
		if t, err := c.Renderer.T(s.Lang, "notice.pick_category", nil); err == nil {
			fmt.Fprintln(c.Out, t)
			fmt.Fprintln(c.Out)
		}
		if err := c.step(ctx, engine.Event{Kind: engine.Start, Lang: s.Lang}); err != nil {
			return err
		}
	} else {
		c.print(s.Lang, reps)
	}
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if line == "/quit" || line == "/exit" {
			return nil
		}
		if err := c.handle(ctx, line); err != nil {
			if errors.Is(err, store.ErrUnavailable) {
				c.notice(c.Lang, "notice.store_down")
				continue
			}
			return err
		}
	}
	return sc.Err()
}

func (c *Chat) handle(ctx context.Context, line string) error {
	ev := engine.Event{Lang: c.Lang}
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "/back":
		ev.Kind = engine.Back
	case "/restart":
		ev.Kind = engine.Restart
	case "/new", "/start":
		ev.Kind, ev.Tree = engine.Start, arg
		if cmd == "/new" && arg != "" {
			ev = c.Advisor.NewCaseEvent(arg)
		}
	case "/lang":
		if arg != "zh" && arg != "en" {
			fmt.Fprintln(c.Out, "usage: /lang zh|en")
			return nil
		}
		c.Lang = arg
		ev.Kind, ev.Lang = engine.SetLang, arg
	case "/summary":
		return c.summary(ctx)
	case "/filed":
		ev.Kind, ev.Option = engine.Draft, engine.FiledForm
	case "/remind":
		return c.remind(ctx, arg)
	case "/forget":
		return c.forget(ctx)
	case "/draft":
		if !slices.Contains(engine.DraftChannels, arg) {
			fmt.Fprintln(c.Out, "usage: /draft merchant|platform|12315")
			return nil
		}
		ev.Kind, ev.Option = engine.Draft, arg
	case "/help":
		fmt.Fprintln(c.Out, "Type a number or the words of an option (yes/no where it fits), or type your answer.")
		fmt.Fprintln(c.Out, "/back  /restart  /new [description]  /start <category>  /lang zh|en  /summary  /draft merchant|platform|12315  /filed  /remind on|off  /forget  /quit")
		return nil
	default:
		if strings.HasPrefix(cmd, "/") {
			fmt.Fprintln(c.Out, "Unknown command. /help lists them.")
			return nil
		}
		if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(c.buttons) {
			ev = c.buttons[n-1].Event
		} else {
			s, err := c.Advisor.Session(ctx, c.Key)
			if err != nil {
				return err
			}
			ev = c.Advisor.TextEvent(s, line)
		}
	}
	return c.step(ctx, ev)
}

func (c *Chat) step(ctx context.Context, ev engine.Event) error {
	res, err := c.Advisor.Handle(ctx, c.Key, ev)
	if err == nil && res.Repeat {
		// The press just applied, again: show where the case stands.
		res, err = c.Advisor.Handle(ctx, c.Key, engine.Event{Kind: engine.Show})
	}
	if err != nil {
		return err
	}
	c.print(res.Session.Lang, res.Replies)
	for _, rep := range res.Replies {
		if rep.Kind == engine.DraftReply {
			c.printDraft(res.Session, rep.Data["Channel"])
		}
	}
	c.offerReminders(res.Session.Lang, res.Replies)
	return nil
}

// notice prints one message by key (a missing one is a bug lint catches).
func (c *Chat) notice(lang, key string) {
	if lang == "" {
		lang = c.Lang
	}
	if t, err := c.Renderer.T(lang, key, nil); err == nil {
		fmt.Fprintln(c.Out, t)
		fmt.Fprintln(c.Out)
	}
}

// printDraft shows a complaint text, in Chinese too when the user reads
// English: the merchant and 12315 read Chinese.
func (c *Chat) printDraft(s engine.Session, channel string) {
	sum, ok := summary.Build(c.Advisor.Catalog, s, c.Advisor.Clock(), false)
	if !ok {
		return
	}
	langs := []string{s.Lang}
	if s.Lang != render.ZH {
		langs = append(langs, render.ZH)
	}
	for _, lang := range langs {
		text, err := c.Renderer.Draft(lang, channel, sum)
		if err != nil {
			fmt.Fprintln(c.Out, "! Sorry, this draft could not be shown.")
			return
		}
		fmt.Fprintln(c.Out, text)
		fmt.Fprintln(c.Out)
	}
	if hint, err := c.Renderer.T(s.Lang, "draft.channel_hint."+channel, nil); err == nil {
		fmt.Fprintln(c.Out, hint)
		fmt.Fprintln(c.Out)
	}
}

func (c *Chat) summary(ctx context.Context) error {
	s, err := c.Advisor.Session(ctx, c.Key)
	if err != nil {
		return err
	}
	if c.Summary == nil {
		fmt.Fprintln(c.Out, "(no summary available)")
		return nil
	}
	text, err := c.Summary(s, s.Lang)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.Out, text)
	fmt.Fprintln(c.Out)
	return nil
}

// print renders replies and numbers their buttons across the batch.
func (c *Chat) print(lang string, reps []engine.Reply) {
	var buttons []render.Button
	asked := false
	for _, rep := range reps {
		switch rep.Kind {
		case engine.QuestionReply, engine.ConfirmReply, engine.OutcomeReply:
			asked = true
		case engine.DraftReply:
			continue // printed by printDraft, which needs the session
		}
		m, err := c.Renderer.Render(lang, rep, render.Plain)
		if err != nil {
			fmt.Fprintln(c.Out, "! Sorry, this message could not be shown. Please type /back or /new.")
			continue
		}
		fmt.Fprintln(c.Out, m.Text)
		for _, row := range m.Buttons {
			for _, b := range row {
				if b.Event.Kind == engine.Back {
					// In the terminal, numbers answer the question; going
					// back is the /back command.
					continue
				}
				buttons = append(buttons, b)
				fmt.Fprintf(c.Out, "  %d) %s\n", len(buttons), b.Text)
			}
		}
		fmt.Fprintln(c.Out)
	}
	if asked {
		c.buttons = buttons
	}
}

// scanLinesLenient is bufio.ScanLines, but a line longer than the buffer
// is returned cut instead of stopping the chat with ErrTooLong.
func scanLinesLenient(data []byte, atEOF bool) (int, []byte, error) {
	adv, tok, err := bufio.ScanLines(data, atEOF)
	if err == nil && tok == nil && !atEOF && len(data) >= maxLine {
		return len(data), data, nil
	}
	return adv, tok, err
}
