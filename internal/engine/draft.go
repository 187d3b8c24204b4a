package engine

import "slices"

// DraftFields lists, per channel, the details a complaint draft needs, in
// the order they are asked. A 12315 complaint must carry the complainant's
// identity and contacts, the merchant's name and address, a specific demand
// and the facts (SAMR complaint measures, Art. 10); the facts come from the
// case itself.
var DraftFields = map[string][]string{
	// Not a draft: the date a 12315 complaint was filed, after which the
	// outcome shows when the regulator must decide and mediation ends.
	FiledForm:  {"complaint_date"},
	"merchant": {"merchant_name", "demand"},
	"platform": {"merchant_name", "demand"},
	"12315":    {"complainant_name", "complainant_phone", "complainant_address", "merchant_name", "merchant_address", "demand"},
}

// DraftLaws are the provisions each draft relies on beyond the case's own:
// the merchant must run a complaint channel; the platform must help and,
// failing that, name the seller; a 12315 complaint states these contents.
var DraftLaws = map[string][]string{
	"merchant": {"ir_44"},
	"platform": {"ecl_61", "cpl_44"},
	"12315":    {"cr_10"},
}

// DraftChannels in the order the front ends offer them.
var DraftChannels = []string{"merchant", "platform", "12315"}

// FiledForm asks when the user filed with 12315.
const FiledForm = "filed_12315"

// draftFieldSpec bounds a typed detail: a name or an address, not an essay.
var draftFieldSpec = &InputSpec{Kind: TextInput, MaxLen: 300}

// fieldSpec is how a form's detail is typed.
func fieldSpec(field string) *InputSpec {
	if field == "complaint_date" {
		return &InputSpec{Kind: DateInput}
	}
	return draftFieldSpec
}

func (st *stepper) draft(ev Event) {
	n := st.node()
	if n == nil || n.Kind != Outcome || DraftFields[ev.Option] == nil {
		st.stale()
		return
	}
	if ev.Option == FiledForm && st.s.Facts["complaint_date"] != "" {
		// Asking again means correcting the date.
		delete(st.s.Facts, "complaint_date")
		st.changed = true
	}
	st.nextField(ev.Option)
}

// nextField asks for the first missing detail of channel, or, when none is
// missing, hands out the draft.
func (st *stepper) nextField(channel string) {
	for _, f := range DraftFields[channel] {
		if st.s.Facts[f] == "" {
			st.s.Form = &Form{Channel: channel, Field: f}
			st.s.Seq++
			st.changed = true
			st.askField()
			return
		}
	}
	if st.s.Form != nil {
		// The questions are done: their buttons (Back) are old from now on.
		st.s.Form = nil
		st.s.Seq++
		st.changed = true
	}
	if channel == FiledForm {
		st.show() // the outcome again, now with the 12315 dates
		return
	}
	st.replies = append(st.replies, Reply{Kind: DraftReply, Advice: st.advice(st.node()), Data: map[string]string{"Channel": channel}})
}

func (st *stepper) askField() {
	f := st.s.Form
	st.replies = append(st.replies, Reply{Kind: QuestionReply, Token: Token(st.s.Seq), Data: map[string]string{"Channel": f.Channel},
		Question: &Question{Tree: st.s.Tree, Node: st.s.Node, Key: "draft.ask." + f.Field, Input: fieldSpec(f.Field), Facts: cloneMap(st.s.Facts), CanGoBack: true}})
}

// formText takes a typed detail for the open form.
func (st *stepper) formText(raw string) {
	v, err := ParseInput(fieldSpec(st.s.Form.Field), raw, st.now)
	if err != nil {
		st.replies = append(st.replies, Reply{Kind: NoticeReply, Key: err.Key, Data: err.Data})
		st.askField()
		return
	}
	st.setFact(st.s.Form.Field, v, false)
	st.changed = true
	st.nextField(st.s.Form.Channel)
}

// FactSuffix makes, from a question's message key, the key of the label a
// draft states its answer under ("Date I received it: …"): a complaint
// states facts, not the bot's questions. Every question outside the menu
// needs one.
const FactSuffix = ".fact"

// DraftFieldKeys are the message keys of the detail questions.
func DraftFieldKeys() []string {
	var keys []string
	for _, fields := range DraftFields {
		for _, f := range fields {
			if k := "draft.ask." + f; !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}
