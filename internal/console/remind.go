package console

import (
	"context"
	"errors"
	"fmt"

	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/render"
)

// remind runs "/remind on|off". The terminal cannot be written to later;
// its reminders are what `disputebot reminders` lists.
func (c *Chat) remind(ctx context.Context, arg string) error {
	s, err := c.Advisor.Session(ctx, c.Key)
	if err != nil {
		return err
	}
	lang := s.Lang
	switch arg {
	case "on":
		rs, err := c.Advisor.RemindOn(ctx, c.Key)
		if errors.Is(err, advisor.ErrNoReminders) || err == nil && len(rs) == 0 {
			c.notice(lang, "remind.none")
			return nil
		}
		if err != nil {
			return err
		}
		c.say(lang, "remind.on", map[string]any{"Next": render.When(lang, rs[0].At)})
	case "off":
		if err := c.Advisor.RemindOff(ctx, c.Key); err != nil && !errors.Is(err, advisor.ErrNoReminders) {
			return err
		}
		c.notice(lang, "remind.off")
	default:
		c.notice(lang, "remind.usage")
	}
	return nil
}

// forget deletes everything kept for this user: the case, its link and its
// reminders.
func (c *Chat) forget(ctx context.Context) error {
	s, err := c.Advisor.Session(ctx, c.Key)
	if err != nil {
		return err
	}
	if err := c.Advisor.Forget(ctx, c.Key); err != nil {
		return err
	}
	c.buttons = nil
	c.notice(s.Lang, "bot.forget.done")
	return nil
}

// offerReminders points to /remind after an outcome with a deadline ahead.
func (c *Chat) offerReminders(lang string, reps []engine.Reply) {
	if c.Advisor.Reminders == nil {
		return
	}
	for _, rep := range reps {
		if rep.Kind == engine.OutcomeReply && remind.HasFuture(c.Key, rep.Advice, c.Advisor.Clock()) {
			c.notice(lang, "remind.offer")
			return
		}
	}
}

func (c *Chat) say(lang, key string, data map[string]any) {
	if lang == "" {
		lang = c.Lang
	}
	if t, err := c.Renderer.T(lang, key, data); err == nil {
		fmt.Fprintln(c.Out, t)
		fmt.Fprintln(c.Out)
	}
}
