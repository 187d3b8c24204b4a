package telegramtest

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// entityTags maps the tags of Telegram's HTML parse mode to entity types.
var entityTags = map[string]models.MessageEntityType{
	"b": models.MessageEntityTypeBold, "strong": models.MessageEntityTypeBold,
	"i": models.MessageEntityTypeItalic, "em": models.MessageEntityTypeItalic,
	"u": models.MessageEntityTypeUnderline, "ins": models.MessageEntityTypeUnderline,
	"s": models.MessageEntityTypeStrikethrough, "strike": models.MessageEntityTypeStrikethrough,
	"del":        models.MessageEntityTypeStrikethrough,
	"tg-spoiler": models.MessageEntityTypeSpoiler,
	"code":       models.MessageEntityTypeCode,
	"pre":        models.MessageEntityTypePre,
	"a":          models.MessageEntityTypeTextLink,
	"blockquote": models.MessageEntityTypeBlockquote,
}

// namedEntities are the only named entities the Bot API accepts.
var namedEntities = map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`}

// ParseHTML reads text in Telegram's HTML parse mode the way the Bot API
// does: it returns the plain text and its entities (offsets and lengths in
// UTF-16 code units), or an error for an unknown or unbalanced tag, a stray
// "<" or an unknown named entity — the mistakes that make the real API
// answer "can't parse entities".
func ParseHTML(s string) (string, []models.MessageEntity, error) {
	type open struct {
		name   string
		entity models.MessageEntity
	}
	var (
		out   strings.Builder
		pos   int // UTF-16 length of out
		stack []open
		ents  []models.MessageEntity
	)
	emit := func(text string) {
		out.WriteString(text)
		pos += utf16Len(text)
	}
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", nil, fmt.Errorf("can't parse entities: unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+end]
			i += end + 1
			if name, ok := strings.CutPrefix(tag, "/"); ok {
				name = strings.ToLower(strings.TrimSpace(name))
				if len(stack) == 0 || stack[len(stack)-1].name != name {
					return "", nil, fmt.Errorf("can't parse entities: unexpected end tag %q", name)
				}
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				top.entity.Length = pos - top.entity.Offset
				if top.entity.Length > 0 {
					ents = append(ents, top.entity)
				}
				continue
			}
			name, attrs, _ := strings.Cut(tag, " ")
			name = strings.ToLower(name)
			typ, ok := entityTags[name]
			if name == "span" && strings.Contains(attrs, "tg-spoiler") {
				typ, ok = models.MessageEntityTypeSpoiler, true
			}
			if !ok {
				return "", nil, fmt.Errorf("can't parse entities: unsupported start tag %q", name)
			}
			e := models.MessageEntity{Type: typ, Offset: pos}
			if name == "a" {
				href := attrValue(attrs, "href")
				if href == "" {
					return "", nil, fmt.Errorf("can't parse entities: a tag without href")
				}
				e.URL = html.UnescapeString(href)
			}
			stack = append(stack, open{name: name, entity: e})
		case '>':
			return "", nil, fmt.Errorf("can't parse entities: unexpected \">\" at byte offset %d", i)
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 || end > 10 {
				emit("&")
				i++
				continue
			}
			ref := s[i+1 : i+end]
			text, err := entityText(ref)
			if err != nil {
				return "", nil, err
			}
			emit(text)
			i += end + 1
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			emit(s[i : i+size])
			i += size
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("can't parse entities: can't find end tag corresponding to start tag %q", stack[len(stack)-1].name)
	}
	return out.String(), ents, nil
}

func entityText(ref string) (string, error) {
	if num, ok := strings.CutPrefix(ref, "#"); ok {
		base := 10
		if hex, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
			num, base = hex, 16
		}
		n, err := strconv.ParseInt(num, base, 32)
		if err != nil || n <= 0 || !utf8.ValidRune(rune(n)) {
			return "", fmt.Errorf("can't parse entities: bad numeric entity %q", ref)
		}
		return string(rune(n)), nil
	}
	if t, ok := namedEntities[ref]; ok {
		return t, nil
	}
	return "", fmt.Errorf("can't parse entities: unsupported HTML entity %q", ref)
}

func attrValue(attrs, name string) string {
	i := strings.Index(attrs, name+"=")
	if i < 0 {
		return ""
	}
	v := attrs[i+len(name)+1:]
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		q := v[0]
		if end := strings.IndexByte(v[1:], q); end >= 0 {
			return v[1 : 1+end]
		}
	}
	if end := strings.IndexAny(v, " \t"); end >= 0 {
		return v[:end]
	}
	return v
}

// utf16Len is the length of s in UTF-16 code units, the unit of Telegram's
// message limits and entity offsets.
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
