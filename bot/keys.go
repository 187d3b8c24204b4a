package bot

import (
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
)

// Keys are the message keys the bot uses itself (locales/bot.*.yaml), for
// lint's check that every key exists in every language and every message
// is used. The engine's and the renderer's keys are listed by their
// packages.
func Keys() []string {
	keys := []string{
		"bot.welcome", "bot.welcome_back", "bot.help", "bot.privacy", "bot.privacy.personal", "bot.toast.stale", "bot.toast.repeat",
		"bot.notice.unsupported", "bot.notice.too_fast", "bot.notice.edited", "bot.notice.unknown_command",
		"bot.notice.sorry", "bot.notice.owed", "bot.lang.pick",
		"bot.forget.confirm", "bot.forget.yes", "bot.forget.no", "bot.forget.done", "bot.forget.kept", "bot.forget.stale",
		"bot.group.private", "bot.checklist.intro",
		"bot.actions.intro", "bot.action.summary", "bot.action.share", "bot.action.download", "bot.action.drafts", "bot.action.filed",
		"bot.share.intro", "bot.share.button", "bot.share.link", "bot.inline.description", "bot.inline.none",
		"bot.download.html", "bot.download.txt",
		"bot.draft.pick", "bot.draft.zh",
	}
	for _, ch := range engine.DraftChannels {
		keys = append(keys, "bot.draft."+ch)
	}
	for _, c := range menuCommands {
		keys = append(keys, "bot.cmd."+c)
	}
	// Reminders' words, buttons and notices, which the bot sends (and
	// the terminal chat and the operator's command use too).
	keys = append(keys, remind.Keys()...)
	return keys
}
