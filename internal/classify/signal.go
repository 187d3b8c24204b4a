package classify

import (
	"strings"
	"unicode"
)

// A message needs this much signal before the model is asked: at least
// minSignal points, where a Han character counts 1 and an English word 2,
// after greetings, thanks, yes/no words and fillers are taken out. Digits,
// emoji and punctuation count nothing. So "是", "好的", "ok", "1000", "👍",
// "hi", "help", "你好" and "退款" (2) are too thin to be a dispute, while
// "假货怎么办" (5), "fake goods" (4) or "健身房跑路" (5) go to the model.
// A person who typed a short word is better served by "tell me in a
// sentence" than by a guessed dispute.
const minSignal = 4

// fillerHan are Chinese words that say nothing about a dispute: greetings,
// thanks, yes/no and chat particles. Longer entries first, so that "不是"
// is removed before "是".
var fillerHan = strings.NewReplacer(
	"你好", "", "您好", "", "哈喽", "", "早上好", "", "晚上好", "", "在吗", "", "在不在", "",
	"有人吗", "", "谢谢", "", "多谢", "", "好的", "", "好吧", "", "可以", "", "不用", "",
	"不是", "", "不对", "", "没有", "", "是的", "", "对的", "", "知道了", "", "没事", "",
	"嗯", "", "哦", "", "噢", "", "啊", "", "呀", "", "吧", "", "呢", "", "哈", "", "呵", "",
	"嗨", "", "好", "", "是", "", "对", "", "行", "", "不", "", "没", "", "谢", "",
	"帮助", "", "求助", "", "帮忙", "", "请问", "", "我", "", "你", "",
)

// fillerWords are English words of the same kind, and the pronouns and
// articles that carry no topic.
var fillerWords = map[string]bool{
	"hi": true, "hello": true, "hey": true, "hallo": true, "yo": true, "morning": true, "good": true,
	"thanks": true, "thank": true, "thx": true, "ty": true, "please": true, "pls": true, "plz": true,
	"yes": true, "yeah": true, "yep": true, "yup": true, "no": true, "nope": true, "nah": true,
	"ok": true, "okay": true, "k": true, "sure": true, "fine": true, "right": true, "correct": true,
	"help": true, "me": true, "i": true, "you": true, "a": true, "an": true, "the": true, "is": true,
	"it": true, "that": true, "this": true, "my": true, "to": true, "and": true, "or": true,
	"lol": true, "haha": true, "hmm": true, "um": true, "uh": true, "oh": true, "wow": true,
}

// signal scores how much a message says, as described at minSignal.
func signal(text string) int {
	s := fillerHan.Replace(Normalize(text))
	n := 0
	word := make([]rune, 0, 16)
	flush := func() {
		if len(word) > 0 && !fillerWords[string(word)] {
			n += 2
		}
		word = word[:0]
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			word = append(word, r)
		case r == '\'' || r == '’':
		case unicode.Is(unicode.Han, r):
			flush()
			n++
		default:
			flush()
		}
	}
	flush()
	return n
}

// tooThin reports whether text has too little signal to be classified.
func tooThin(text string) bool { return signal(text) < minSignal }
