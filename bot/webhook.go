package bot

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"

	"github.com/go-telegram/bot/models"
)

// secretHeader carries the secret token Telegram was given with setWebhook.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxUpdateBody bounds a webhook request; an update is a few kilobytes.
const maxUpdateBody = 1 << 20

// serveWebhook takes an update from Telegram. The update is queued on its
// chat's lane and the request answered once the update is applied (its
// step saved), before the replies are sent, so a slow reply (a 429 being
// waited out) never makes Telegram time out and deliver it again, and an
// update is never acknowledged and then lost: one still waiting when the
// shutdown grace ends is answered 503, and Telegram delivers it again.
func (b *Bot) serveWebhook(w http.ResponseWriter, r *http.Request) {
	got := r.Header.Get(secretHeader)
	if subtle.ConstantTimeCompare([]byte(got), []byte(b.cfg.WebhookSecret)) != 1 {
		b.log.Warn("webhook request without the right secret token refused")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var u models.Update
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxUpdateBody)).Decode(&u); err != nil {
		b.log.Warn("webhook request is not an update", "class", "bad_json")
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	applied, ok := b.enqueue(&u)
	if !ok {
		// Shutting down: Telegram will deliver it again, to the next process.
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	select {
	case <-applied:
		w.WriteHeader(http.StatusOK)
	case <-b.base.Done():
		// The grace is over and the update was not applied.
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
	case <-r.Context().Done():
		// Telegram gave up waiting; it delivers the update again.
	}
}
