package bot

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// maxMessage bounds each message the bot sends. Telegram allows 4096
// characters of parsed text (counted in UTF-16 units); split measures the
// HTML source, which is never shorter than the parsed text, so a chunk
// within this bound always fits, with room to spare for the "→ answer"
// line appended when the message is answered.
const maxMessage = 3900

// split cuts an HTML message into chunks of at most limit UTF-16 units: at
// paragraph breaks if it can, else at line breaks, else at spaces, else
// between any two characters (Chinese has no spaces) — never inside a tag or
// an entity. Tags open at a cut are closed at the end of the chunk and
// reopened at the start of the next, so every chunk is valid on its own.
// Blank chunks are dropped; blank input gives none.
func split(s string, limit int) []string {
	if utf16Len(s) <= limit {
		// Most messages: one chunk, no tokens needed (tokenizing was a
		// sixth of the bytes the bot allocated per update).
		if !hasText(s) {
			return nil // blank, or tags around nothing: Telegram refuses empty text
		}
		return []string{s}
	}
	toks := tokenize(s)
	if !slices.ContainsFunc(toks, func(t token) bool { return t.kind != tagToken && !t.blank() }) {
		return nil
	}
	var chunks []string
	var open []token // tags open at the start of the next chunk
	for i := 0; i < len(toks); {
		for i < len(toks) && toks[i].space() {
			i++ // a chunk never starts with the whitespace of a cut
		}
		if i == len(toks) {
			break
		}
		j, next := cut(toks, i, open, limit)
		var b strings.Builder
		for _, t := range open {
			b.WriteString(t.text)
		}
		end := j
		for end > i && toks[end-1].space() {
			end-- // nor ends with it
		}
		hasText := false
		for _, t := range toks[i:end] {
			b.WriteString(t.text)
			hasText = hasText || t.kind != tagToken && !t.blank()
		}
		for k := len(next) - 1; k >= 0; k-- {
			b.WriteString("</" + next[k].name() + ">")
		}
		if hasText {
			chunks = append(chunks, b.String())
		}
		i, open = j, next
	}
	return chunks
}

// Break quality at a boundary, best first.
const (
	paragraphBreak = iota
	lineBreak
	spaceBreak
	anyBreak
)

// cut finds where the chunk starting at toks[i] (with open tags reopened)
// ends: the end index and the tags still open there. It takes the last
// boundary of the best quality that keeps the chunk at least half full,
// else the last boundary that fits.
func cut(toks []token, i int, open []token, limit int) (int, []token) {
	stack := append([]token(nil), open...)
	width := 0
	for _, t := range open {
		width += int(t.width)
	}
	type boundary struct {
		at, width int
		stack     []token
	}
	// The best cut of each quality that keeps the chunk at least half
	// full, the last that is not between any two characters, and the last
	// that fits: kept as the tokens are read, since widths only grow.
	var best [anyBreak]boundary
	var lastBreak, last boundary
	fits := false
	// The stack changes only at tags: boundaries share one immutable copy
	// of it between tags, rather than each copying it (a long outcome has
	// thousands of boundaries).
	closers := 0
	for _, o := range stack {
		closers += len(o.name()) + 3
	}
	for j := i; j < len(toks); j++ {
		t := toks[j]
		width += int(t.width)
		switch {
		case t.kind == tagToken && t.closing():
			if n := len(stack); n > 0 && stack[n-1].name() == t.name() {
				closers -= len(stack[n-1].name()) + 3
				stack = append([]token(nil), stack[:n-1]...)
			}
		case t.kind == tagToken:
			stack = append(append([]token(nil), stack...), t)
			closers += len(t.name()) + 3
		}
		if width+closers > limit {
			break
		}
		b := boundary{at: j + 1, width: width, stack: stack}
		fits, last = true, b
		if q := quality(toks, j+1); q < anyBreak {
			lastBreak = b
			if width >= limit/2 {
				best[q] = b
			}
		}
	}
	if !fits {
		// Nothing fits (absurdly small limit): take one token to progress.
		return i + 1, stack
	}
	if last.at == len(toks) {
		return last.at, last.stack
	}
	for q := paragraphBreak; q < anyBreak; q++ {
		if best[q].at > 0 {
			return best[q].at, best[q].stack
		}
	}
	if lastBreak.at > 0 {
		return lastBreak.at, lastBreak.stack
	}
	return last.at, last.stack
}

// quality rates cutting before toks[j] by the whitespace just before it.
func quality(toks []token, j int) int {
	nl := 0
	for k := j - 1; k >= 0 && toks[k].space(); k-- {
		if toks[k].text == "\n" {
			nl++
		}
	}
	switch {
	case nl >= 2:
		return paragraphBreak
	case nl == 1:
		return lineBreak
	case j > 0 && toks[j-1].space():
		return spaceBreak
	}
	return anyBreak
}

type tokenKind uint8

const (
	charToken   tokenKind = iota
	entityToken           // &amp; &#39; …, never cut
	tagToken              // <b>, </b>, <a href="…">
)

// token is one character, entity or tag. A long outcome has thousands, so
// it is kept small: a tag's name and whether it closes are read from its
// text when needed (tags are few).
type token struct {
	text  string
	width int32 // UTF-16 units of text
	kind  tokenKind
}

// name is a tag's name, in lower case.
func (t token) name() string {
	inner := strings.TrimPrefix(t.text[1:len(t.text)-1], "/")
	name, _, _ := strings.Cut(inner, " ")
	return strings.ToLower(name)
}

// closing reports a closing tag.
func (t token) closing() bool { return t.text[1] == '/' }

// blank: a character Telegram shows as nothing (any white space), so a
// chunk of these alone would be refused as empty.
func (t token) blank() bool {
	return t.kind == charToken && strings.TrimSpace(t.text) == ""
}

func (t token) space() bool {
	return t.kind == charToken && (t.text == " " || t.text == "\n" || t.text == "\t")
}

// hasText reports whether s shows anything: a token that is not a tag
// and not blank, as split's check on tokenize's tokens, without making
// them.
func hasText(s string) bool {
	for i := 0; i < len(s); {
		t := nextToken(s, i)
		if t.kind != tagToken && !t.blank() {
			return true
		}
		i += len(t.text)
	}
	return false
}

// tokenize splits HTML into characters, entities and tags.
func tokenize(s string) []token {
	toks := make([]token, 0, utf8.RuneCountInString(s))
	for i := 0; i < len(s); {
		t := nextToken(s, i)
		toks = append(toks, t)
		i += len(t.text)
	}
	return toks
}

// nextToken is the token of s starting at i. A "<" or "&" that starts no
// tag or entity is a plain character, as written.
func nextToken(s string, i int) token {
	switch s[i] {
	case '<':
		if end := strings.IndexByte(s[i:], '>'); end > 0 {
			text := s[i : i+end+1]
			return token{kind: tagToken, text: text, width: int32(len(text))}
		}
	case '&':
		if end := strings.IndexByte(s[i:], ';'); end > 1 && end <= 10 {
			text := s[i : i+end+1]
			return token{kind: entityToken, text: text, width: int32(len(text))}
		}
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	w := 1
	if r >= 0x10000 {
		w = 2
	}
	return token{kind: charToken, text: s[i : i+size], width: int32(w)}
}

// utf16Len is the length of s in UTF-16 code units, Telegram's unit.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
