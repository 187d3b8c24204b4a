package advisor

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/disputebot/disputebot/internal/engine"
)

// How much typed text must say before it is read as a description rather
// than an answer. Text is weighed in "characters": a Chinese character
// counts 1, an English word 2 (it carries about as much as two
// characters), digits and punctuation nothing. The classifier's own
// confidence thresholds, for offering one category or several, are in
// internal/intake; SwitchConfidence above is the bar mid-case.
const (
	// VagueWeight: lighter text ("你好", "help", "退款", "yes", "1000", an
	// emoji) is never classified: one or two words carry too little to
	// place a dispute, and the classifier answers them with a confidence
	// that means nothing (it gave "是" 0.94).
	VagueWeight = 4
	// SwitchWeight: in the middle of a case, only text at least this heavy
	// ("外卖里吃出了头发", "my gym closed down") may be a new description
	// the bot offers to switch to; shorter text is an answer to the
	// question on screen, re-asked if it fits no option.
	SwitchWeight = 8
	// AnswerWeight: at most this heavy, text that names no option outright
	// is still searched for an option's distinctive words ("在网上买的" →
	// online). Longer text is a description, whose words would match
	// options by accident.
	AnswerWeight = 16
)

// Message keys the advisor has the engine say (Event.Notice).
const (
	// noticeVague asks for a sentence about what happened.
	noticeVague = "notice.describe_more"
	// noticeAmbiguous: the text fits more than one option.
	noticeAmbiguous = "notice.ambiguous_answer"
	// noticeNotUnderstood: a description the classifier could not place.
	noticeNotUnderstood = "notice.not_understood"
)

// MessageKeys are the notice keys TextEvent may put on an event.
var MessageKeys = []string{noticeVague, noticeAmbiguous, noticeNotUnderstood}

// Labels localizes an option's message key (render.Renderer.T has this
// shape). It lets typed text be matched with the words on the buttons.
type Labels func(lang, key string, data map[string]any) (string, error)

// choice is one answer the user can give at the question on screen: an
// option of a choice node, or a button of the confirm question.
type choice struct {
	id    string
	keys  []string // message keys of its labels
	means string   // "yes", "no" or ""
}

// match is how typed text fits the choices.
type match struct {
	id        string // the choice selected, if exactly one
	ambiguous bool   // it fits several
}

// nodeChoices are the options of a choice node.
func nodeChoices(n *engine.Node) []choice {
	cs := make([]choice, len(n.Options))
	for i, o := range n.Options {
		cs[i] = choice{id: o.ID, keys: []string{o.Text}, means: o.Means}
	}
	return cs
}

// proposalChoices are the buttons of the confirm question, in the order
// render shows them: yes and no for one category; each category offered
// and "something else" when there are alternatives.
func proposalChoices(p *engine.Proposal) []choice {
	if len(p.Alternatives) == 0 {
		return []choice{
			{id: "yes", keys: []string{"button.yes", "category." + p.Category}, means: "yes"},
			{id: "no", keys: []string{"button.other", "menu.other"}, means: "no"},
		}
	}
	var cs []choice
	for _, c := range p.Offers() {
		cs = append(cs, choice{id: c, keys: []string{"category." + c}})
	}
	return append(cs, choice{id: "no", keys: []string{"button.something_else", "button.other", "menu.other"}, means: "no"})
}

// languages lists the session's language first: people type the words
// on their buttons, and sometimes the other language's ("ok", "online").
func (a *Advisor) languages(lang string) []string {
	if lang == "en" {
		return []string{"en", "zh"}
	}
	return []string{"zh", "en"}
}

// choose reads text as one of cs. Loose also looks for an option's
// distinctive words in short text; without it, the text must be a
// number, a yes or no, a label, or a part of one.
func (a *Advisor) choose(lang string, cs []choice, text string, loose bool) match {
	if n, ok := ordinal(text); ok {
		if n >= 1 && n <= len(cs) {
			return match{id: cs[n-1].id}
		}
		return match{}
	}
	tt := tokens(text)
	if len(tt) == 0 {
		return match{}
	}
	labels := a.labelTokens(lang, cs)
	// A label, typed in full.
	if m := pick(cs, func(i int) bool {
		return slices.ContainsFunc(labels[i], func(l []string) bool { return slices.Equal(l, tt) })
	}); m.id != "" || m.ambiguous {
		return m
	}
	if v, ok := engine.YesNo(text); ok {
		return pick(cs, func(i int) bool { return cs[i].means == v })
	}
	// A part of a label: whole words, or two Chinese characters or more.
	if strength(tt) >= 2 {
		if m := pick(cs, func(i int) bool {
			return slices.ContainsFunc(labels[i], func(l []string) bool { return contains(l, tt) })
		}); m.id != "" || m.ambiguous {
			return m
		}
	}
	if !loose || weight(text) > AnswerWeight {
		return match{}
	}
	// Words of the text that appear in exactly one option's labels point
	// at it; words shared by several options say nothing.
	hit := map[int]bool{}
	for _, piece := range pieces(tt) {
		var in []int
		for i := range cs {
			if slices.ContainsFunc(labels[i], func(l []string) bool { return contains(l, piece) }) {
				in = append(in, i)
			}
		}
		if len(in) == 1 {
			hit[in[0]] = true
		}
	}
	switch len(hit) {
	case 0:
		return match{}
	case 1:
		for i := range hit {
			// "不是网上" must not select online: a negated answer only
			// selects an option that is itself negative.
			if negated(tt) && !slices.ContainsFunc(labels[i], negated) {
				return match{}
			}
			return match{id: cs[i].id}
		}
	}
	return match{ambiguous: true}
}

// pick returns the one choice for which fits holds.
func pick(cs []choice, fits func(i int) bool) match {
	found := -1
	for i := range cs {
		if fits(i) {
			if found >= 0 {
				return match{ambiguous: true}
			}
			found = i
		}
	}
	if found < 0 {
		return match{}
	}
	return match{id: cs[found].id}
}

// labelTokens localizes every label of every choice in both languages.
// A label that cannot be localized (a template needing facts) is left out:
// the buttons still work.
func (a *Advisor) labelTokens(lang string, cs []choice) [][][]string {
	out := make([][][]string, len(cs))
	if a.Labels == nil {
		return out
	}
	for i, c := range cs {
		for _, l := range a.languages(lang) {
			for _, k := range c.keys {
				if s, err := a.Labels(l, k, nil); err == nil {
					if t := tokens(s); len(t) > 0 {
						out[i] = append(out[i], t)
					}
				}
			}
		}
	}
	return out
}

var ordinalRe = regexp.MustCompile(`^(?:#|no\.?|option|opt\.?|number|选项|选择|选|第|就|要)?\s*([0-9]{1,6}|[一二两三四五六七八九十]|[①-⑩])\s*(?:个选项|个|项|条|号|种|吧|呀|啊)?\s*[.)）、。:：!！]*$`)

// ordinal reads an option's number: "2", "２", "2.", "2)", "选2", "第二个",
// "②", "option 2".
func ordinal(text string) (int, bool) {
	m := ordinalRe.FindStringSubmatch(strings.ToLower(strings.TrimSpace(engine.FoldWidth(text))))
	if m == nil {
		return 0, false
	}
	d := m[1]
	if n, err := strconv.Atoi(d); err == nil {
		return n, true
	}
	r := []rune(d)[0]
	if r >= '①' && r <= '⑩' {
		return int(r-'①') + 1, true
	}
	return chineseDigits[r], true
}

var chineseDigits = map[rune]int{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9, '十': 10}

// tokens splits text into lower-case words (letters and digits) and single
// Chinese characters, dropping punctuation, symbols and emoji. Apostrophes
// join ("don't" is "dont").
func tokens(s string) []string {
	var out []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			out = append(out, w.String())
			w.Reset()
		}
	}
	for _, r := range engine.FoldWidth(s) {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			w.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
		default:
			flush()
		}
	}
	flush()
	return out
}

func isHan(t string) bool {
	for _, r := range t {
		return unicode.Is(unicode.Han, r)
	}
	return false
}

func isNumber(t string) bool {
	_, err := strconv.Atoi(t)
	return err == nil
}

// stopWords are English words too common to point at an option.
var stopWords = map[string]bool{
	"a": true, "an": true, "the": true, "i": true, "me": true, "my": true, "it": true, "its": true, "in": true,
	"on": true, "at": true, "of": true, "or": true, "and": true, "to": true, "for": true, "from": true, "by": true,
	"with": true, "is": true, "was": true, "are": true, "be": true, "this": true, "that": true, "they": true,
	"them": true, "we": true, "you": true, "did": true, "do": true, "so": true, "just": true, "e": true, "g": true,
	"eg": true, "etc": true, "but": true, "as": true, "if": true, "s": true, "t": true, "one": true,
	"yes": true, "no": true, "not": true, "ok": true, "some": true, "other": true, "else": true, "something": true,
}

// strength is how much a piece of text says: a Chinese character or a
// number 1, an English word other than a stop word 2.
func strength(tt []string) int {
	n := 0
	for _, t := range tt {
		switch {
		case isHan(t), isNumber(t):
			n++
		case !stopWords[t]:
			n += 2
		}
	}
	return n
}

// weight is how much text says, to tell an answer or a greeting from a
// description (see VagueWeight): Chinese characters 1, words 2.
func weight(text string) int {
	n := 0
	for _, t := range tokens(text) {
		switch {
		case isHan(t):
			n++
		case !isNumber(t):
			n += 2
		}
	}
	return n
}

// pieces are the parts of tt that can point at an option: English words
// other than stop words, and pairs of Chinese characters.
func pieces(tt []string) [][]string {
	var out [][]string
	for i, t := range tt {
		switch {
		case isHan(t):
			if i+1 < len(tt) && isHan(tt[i+1]) {
				out = append(out, tt[i:i+2])
			}
		case !stopWords[t] && !isNumber(t) && len(t) > 1:
			out = append(out, tt[i:i+1])
		}
	}
	return out
}

// contains reports whether sub occurs in l as a contiguous run of tokens.
func contains(l, sub []string) bool {
	for i := 0; i+len(sub) <= len(l); i++ {
		if slices.Equal(l[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

var negators = map[string]bool{
	"不": true, "没": true, "未": true, "非": true, "无": true, "别": true,
	"not": true, "no": true, "never": true, "dont": true, "didnt": true, "isnt": true, "wasnt": true,
	"cant": true, "wont": true, "nor": true, "none": true, "nothing": true,
}

func negated(tt []string) bool {
	return slices.ContainsFunc(tt, func(t string) bool { return negators[t] })
}

// greetings are messages that open a chat rather than describe a case.
var greetings = map[string]bool{}

func init() {
	for _, g := range []string{
		"你好", "您好", "你好啊", "你好呀", "哈喽", "嗨", "在吗", "在不在", "有人吗", "有人在吗", "请问", "帮助", "帮忙", "帮帮我", "救命",
		"菜单", "开始", "谢谢", "谢谢你", "早上好", "晚上好", "怎么用", "你是谁", "你能做什么",
		"hi", "hello", "hey", "hiya", "yo", "help", "help me", "please help", "menu", "start", "thanks", "thank you",
		"good morning", "good evening", "how are you", "who are you", "what can you do", "hello there", "hi there",
		"test", "testing",
	} {
		greetings[strings.Join(tokens(g), " ")] = true
	}
}

// Vague reports text that says too little to classify: a greeting, "help",
// a yes or no, a number, an emoji, a word or two (VagueWeight).
func Vague(text string) bool {
	if _, ok := engine.YesNo(text); ok {
		return true
	}
	return greetings[strings.Join(tokens(text), " ")] || weight(text) < VagueWeight
}
