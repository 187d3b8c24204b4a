package engine

// Categories are the dispute categories, in menu order. The ids are fixed:
// dialogs, the classifier, deep links and summaries rely on them.
var Categories = []string{
	"personal_info", "quality_defect", "false_advertising", "food_safety",
	"return_refused", "service_refund", "unfair_terms",
}

// Unknown is the classifier's answer for text that fits no category.
const Unknown = "unknown"

// MessageKeys are the message keys Step itself emits (notices and input
// re-asks), and those the advisor has it say (Event.Notice: how typed text
// was read). Lint checks each exists in every language.
var MessageKeys = []string{
	"notice.tree_changed", "notice.unknown_category", "notice.lang_set",
	"notice.no_route", "notice.stale_button", "notice.use_buttons",
	"notice.pick_category", "notice.case_done", "notice.nothing_to_undo",
	"notice.not_understood", "notice.store_down",
	"notice.describe_more", "notice.ambiguous_answer",
	"input.empty", "input.too_long", "input.bad_number", "input.bad_money",
	"input.out_of_range", "input.bad_date", "input.future_date",
	"input.bad_yesno", "input.bad_text",
}
