package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// The poller's one-pass decoding gives the updates go-telegram/bot's
// models decode to, for every kind the bot asks for: texts, stickers,
// photos, edits, taps on a message (with its entities and keyboard), on
// one too old to see (dated 0) and on an inline message, inline queries.
func TestPolledUpdatesDecodeAsGoTelegram(t *testing.T) {
	user := models.User{ID: 7, FirstName: "Li", LanguageCode: "zh-hans"}
	chat := models.Chat{ID: 7, Type: models.ChatTypePrivate, FirstName: "Li"}
	question := &models.Message{ID: 40, From: &models.User{ID: 1, IsBot: true, FirstName: "bot"}, Chat: chat, Date: 1796000000,
		Text:        "Did the shop refuse?\n✓ paid",
		Entities:    []models.MessageEntity{{Type: models.MessageEntityTypeBold, Offset: 0, Length: 20}},
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Yes", CallbackData: "c:1a:yes"}, {Text: "No", CallbackData: "c:1a:no"}}}}}
	updates := []models.Update{
		{ID: 1, Message: &models.Message{ID: 41, From: &user, Chat: chat, Date: 1796000001, Text: "在美团买的套餐商家不给退"}},
		{ID: 2, Message: &models.Message{ID: 42, From: &user, Chat: chat, Date: 1796000002, Sticker: &models.Sticker{FileID: "s", FileUniqueID: "u", Type: "regular", Width: 512, Height: 512, Emoji: "😡"}}},
		{ID: 3, Message: &models.Message{ID: 43, From: &user, Chat: chat, Date: 1796000003, Caption: "receipt", Photo: []models.PhotoSize{{FileID: "p", FileUniqueID: "q", Width: 90, Height: 90}}}},
		{ID: 4, EditedMessage: &models.Message{ID: 41, From: &user, Chat: chat, Date: 1796000001, EditDate: 1796000009, Text: "¥300"}},
		{ID: 5, CallbackQuery: &models.CallbackQuery{ID: "q5", From: user, ChatInstance: "ci", Data: "c:1a:yes",
			Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: question}}},
		{ID: 6, CallbackQuery: &models.CallbackQuery{ID: "q6", From: user, ChatInstance: "ci", Data: "c:1a:no",
			Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage, InaccessibleMessage: &models.InaccessibleMessage{Chat: chat, MessageID: 39}}}},
		{ID: 7, CallbackQuery: &models.CallbackQuery{ID: "q7", From: user, InlineMessageID: "im", ChatInstance: "ci", Data: "s:x:y"}},
		{ID: 8, InlineQuery: &models.InlineQuery{ID: "iq", From: &user, Query: "share", Offset: "", ChatType: "sender"}},
	}
	body, err := json.Marshal(map[string]any{"ok": true, "result": updates})
	if err != nil {
		t.Fatal(err)
	}
	// Telegram leaves out an inline message's tapped message; go-telegram
	// writes its zero MaybeInaccessibleMessage as null.
	body = bytes.Replace(body, []byte(`"message":null,`), nil, 1)
	var want struct {
		Result []*models.Update `json:"result"`
	}
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	var got apiResponse[[]polledUpdate]
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Result) != len(want.Result) {
		t.Fatalf("%d updates, want %d", len(got.Result), len(want.Result))
	}
	for i := range want.Result {
		if u := got.Result[i].update(); !reflect.DeepEqual(u, want.Result[i]) {
			g, _ := json.Marshal(u)
			w, _ := json.Marshal(want.Result[i])
			t.Errorf("update %d:\n got %s\nwant %s", want.Result[i].ID, g, w)
		}
	}
}

// An update polled while the bot shuts down is not confirmed: the next
// poller (the bot after its restart) gets it.
func TestPolledUpdateLeftForTheNextPoller(t *testing.T) {
	h := newHarness(t)
	b := h.newBot(h.config())
	if err := b.lanes.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	ids := h.api.Push(models.Update{Message: &models.Message{ID: 1, From: &models.User{ID: 5}, Chat: models.Chat{ID: 5, Type: models.ChatTypePrivate}, Date: 1, Text: "hi"}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pollUntilStopped(t, b, ctx)
	got := nextPoll(t, h)
	if len(got) != 1 || got[0].ID != ids[0] {
		t.Fatalf("the next poller got %d updates, want update %d again", len(got), ids[0])
	}
	// The shut-down poller's poll, its confirming poll (of nothing: the
	// offset never moved) not made, and the next poller's.
	if n := len(h.api.Calls("getUpdates")); n != 2 {
		t.Fatalf("%d getUpdates calls, want the shut-down poller's one and the next one's", n)
	}
}

// A poller stopped after a batch confirms it with one short poll, so the
// next poller is not given what this one took (a tap that changed nothing
// would otherwise be answered twice).
func TestPollerConfirmsItsLastBatch(t *testing.T) {
	h := newHarness(t)
	b := h.newBot(h.config())
	ctx, cancel := context.WithCancel(context.Background())
	// An update of no chat is done with inside accept, in the poller's
	// goroutine: the poller is stopped right after its batch, before it
	// polls again (which would confirm the batch anyway).
	b.handled = func(int64) { cancel() }
	h.api.Push(models.Update{EditedMessage: nil})
	pollUntilStopped(t, b, ctx)
	if got := nextPoll(t, h); len(got) != 0 {
		t.Fatalf("the next poller was given %d updates already handled", len(got))
	}
}

// pollUntilStopped runs b's poller until it stops by itself, within 5 s.
func pollUntilStopped(t *testing.T, b *Bot, ctx context.Context) {
	t.Helper()
	done := make(chan struct{})
	go func() { b.poll(ctx); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the poller did not stop")
	}
}

// nextPoll is what the next poller (a new bot) is given first.
func nextPoll(t *testing.T, h *harness) []*models.Update {
	t.Helper()
	got, err := h.newBot(h.config()).out.hot.getUpdates(context.Background(), 0, 2*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
