package telegramtest

import (
	"fmt"
	"strings"

	"github.com/go-telegram/bot/models"
)

// User is a person writing to the bot. Its methods build the updates
// Telegram would deliver for what the person does, and record the person's
// messages in the chat, so a chat's Messages read as the whole conversation.
// They do not deliver the update: Push it (long polling) or post it to the
// bot's webhook.
type User struct {
	s    *Server
	From models.User
	Chat models.Chat
}

// NewUser is a user in their private chat with the bot (whose id is the
// user's id, as in Telegram). lang is their Telegram language_code.
func (s *Server) NewUser(id int64, firstName, lang string) *User {
	u := &User{s: s, From: models.User{ID: id, FirstName: firstName, LanguageCode: lang},
		Chat: models.Chat{ID: id, Type: models.ChatTypePrivate, FirstName: firstName}}
	s.addChat(u.Chat)
	return u
}

// In returns the same user writing in another chat (a group).
func (u *User) In(chat models.Chat) *User {
	u.s.addChat(chat)
	return &User{s: u.s, From: u.From, Chat: chat}
}

func (s *Server) addChat(c models.Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chats[c.ID] = c
}

// Text is the update for a text message; a leading /command gets its
// bot_command entity, as Telegram adds.
func (u *User) Text(text string) models.Update {
	return u.Message(func(m *models.Message) {
		m.Text = text
		if strings.HasPrefix(text, "/") {
			cmd, _, _ := strings.Cut(text, " ")
			m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: utf16Len(cmd)}}
		}
	})
}

// Message is the update for a message that fill completes (a sticker, a
// photo, a location…).
func (u *User) Message(fill func(*models.Message)) models.Update {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	m := u.s.add(u.Chat.ID, u.From, "", nil, nil)
	m.Chat = u.Chat
	fill(m)
	u.s.notify()
	return models.Update{ID: u.s.nextUpdateLocked(), Message: cloneMessage(m)}
}

// Edit is the update for the user editing their message id to text.
func (u *User) Edit(id int, text string) models.Update {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	m := u.s.find(u.Chat.ID, id)
	if m == nil {
		m = &models.Message{ID: id, From: &u.From, Chat: u.Chat, Date: int(u.s.clock().Unix())}
	}
	m.Text, m.EditDate = text, int(u.s.clock().Unix())
	return models.Update{ID: u.s.nextUpdateLocked(), EditedMessage: cloneMessage(m)}
}

// Tap is the update for tapping a button with data on the bot's message id,
// whatever the message's keyboard holds (to forge data, or tap a button
// the bot removed from the screen but an old client still shows).
func (u *User) Tap(id int, data string) models.Update {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.s.queryN++
	qid := fmt.Sprintf("cq%d", u.s.queryN)
	u.s.queries[qid] = false
	q := &models.CallbackQuery{ID: qid, From: u.From, ChatInstance: fmt.Sprint(u.Chat.ID), Data: data}
	if m := u.s.find(u.Chat.ID, id); m != nil {
		q.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: cloneMessage(m)}
	} else {
		q.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage,
			InaccessibleMessage: &models.InaccessibleMessage{Chat: u.Chat, MessageID: id}}
	}
	return models.Update{ID: u.s.nextUpdateLocked(), CallbackQuery: q}
}

// InlineQuery is the update for the user typing "@bot query" in any chat
// (or tapping a button that switches to inline mode with query).
func (u *User) InlineQuery(query string) models.Update {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.s.queryN++
	id := fmt.Sprintf("iq%d", u.s.queryN)
	u.s.inline[id] = false
	from := u.From
	return models.Update{ID: u.s.nextUpdateLocked(), InlineQuery: &models.InlineQuery{ID: id, From: &from, Query: query, ChatType: "sender"}}
}

// SwitchInline finds the newest bot message in the user's chat showing a
// button labelled label that switches to inline mode, and returns the
// query it would type.
func (u *User) SwitchInline(label string) (query string, ok bool) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	ms := u.s.messages[u.Chat.ID]
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].ReplyMarkup == nil {
			continue
		}
		for _, row := range ms[i].ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.Text == label && b.SwitchInlineQuery != "" {
					return b.SwitchInlineQuery, true
				}
			}
		}
	}
	return "", false
}

// TapButton is the update for tapping the button labelled label on the
// newest bot message that shows one; ok is false if none does.
func (u *User) TapButton(label string) (upd models.Update, ok bool) {
	id, data, ok := u.s.button(u.Chat.ID, label)
	if !ok {
		return models.Update{}, false
	}
	return u.Tap(id, data), true
}

// Button finds the newest bot message in chat showing a button labelled
// label, and returns the message id and the button's callback data.
func (s *Server) Button(chat int64, label string) (id int, data string, ok bool) {
	return s.button(chat, label)
}

func (s *Server) button(chat int64, label string) (int, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.messages[chat]
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].ReplyMarkup == nil {
			continue
		}
		for _, row := range ms[i].ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.Text == label {
					return ms[i].ID, b.CallbackData, true
				}
			}
		}
	}
	return 0, "", false
}

// nextUpdateLocked reserves an update id; s.mu must be held.
func (s *Server) nextUpdateLocked() int64 {
	s.lastID++
	return s.lastID
}

func cloneMessage(m *models.Message) *models.Message {
	c := *m
	if m.ReplyMarkup != nil {
		kb := *m.ReplyMarkup
		c.ReplyMarkup = &kb
	}
	c.Entities = append([]models.MessageEntity(nil), m.Entities...)
	return &c
}
