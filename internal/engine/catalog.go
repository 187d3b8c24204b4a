package engine

import "strconv"

// Catalog is the set of trees the advisor runs, plus the id of the category
// menu tree that Start opens when no category is given.
type Catalog struct {
	Trees map[string]*Tree
	Menu  string
}

// Token is the step token for a session's current question. Base 36 keeps
// callback data short.
func Token(seq int64) string { return strconv.FormatInt(seq, 36) }

// ButtonData encodes a button press for a front end whose buttons carry a
// small string (Telegram allows 64 bytes): "c:<token>:<option>".
func ButtonData(token, option string) string { return "c:" + token + ":" + option }

// MaxTokenLen is the longest Token a session can reach in practice: base
// 36 of a step counter below 36^8 (about 2.8e12). Counters start below
// 2^40 (about 1.1e12), which leaves over 1.7e12 steps.
const MaxTokenLen = 8

// ParseButtonData splits data made by ButtonData; ok is false for anything
// else, including forged or truncated data.
func ParseButtonData(data string) (token, option string, ok bool) {
	if len(data) < 5 || data[:2] != "c:" {
		return "", "", false
	}
	rest := data[2:]
	for i := 0; i < len(rest); i++ {
		if rest[i] == ':' {
			token, option = rest[:i], rest[i+1:]
			if token == "" || option == "" || len(token) > MaxTokenLen {
				return "", "", false
			}
			return token, option, true
		}
	}
	return "", "", false
}
