package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/disputebot/disputebot/bot"
)

// telegramOverall is Telegram's documented overall sending limit for one
// bot, about 30 messages a second, shared by every process using its token.
const telegramOverall = 30

// sizeGlobalRate sizes this replica's share of the bot's overall sending
// budget. Each serve process paces its own sends; N replicas at the
// default would together send N times what Telegram allows. With
// TELEGRAM_REPLICAS=N each gets 30/N a second (burst the same), so
// together they keep to one bot's budget; TELEGRAM_GLOBAL_RATE sets the
// per-replica rate directly (messages a second, may be fractional). Neither
// set leaves l as it is. The per-chat limit needs no sharing: a chat's
// updates reach one replica at a time.
func sizeGlobalRate(get func(string) string, l *bot.Limits) error {
	replicas, rate := get("TELEGRAM_REPLICAS"), get("TELEGRAM_GLOBAL_RATE")
	var perSecond float64
	switch {
	case replicas == "" && rate == "":
		return nil
	case replicas != "" && rate != "":
		return errors.New("set TELEGRAM_REPLICAS or TELEGRAM_GLOBAL_RATE, not both")
	case replicas != "":
		n, err := strconv.Atoi(replicas)
		if err != nil || n < 1 || n > telegramOverall {
			return fmt.Errorf("TELEGRAM_REPLICAS %q is not a number of serve processes (1-%d)", replicas, telegramOverall)
		}
		perSecond = float64(telegramOverall) / float64(n)
	default:
		f, err := strconv.ParseFloat(rate, 64)
		if err != nil || f <= 0 || f > telegramOverall {
			return fmt.Errorf("TELEGRAM_GLOBAL_RATE %q is not messages a second for this replica (more than 0, at most %d)", rate, telegramOverall)
		}
		perSecond = f
	}
	if *l == (bot.Limits{}) {
		*l = bot.DefaultLimits
	}
	l.Global = bot.Rate{Every: time.Duration(float64(time.Second) / perSecond), Burst: max(1, int(perSecond))}
	return nil
}
