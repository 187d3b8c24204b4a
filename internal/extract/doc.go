// Package extract pulls structured facts out of a user's free-text account
// of a consumer dispute: which platform, how much was paid and how much is
// left on a card, when it was paid, received or went wrong, whether goods or
// a service, online or offline, what the merchant said, whether the user is
// a foreigner, whether anyone was hurt and whether the business vanished.
// Dialog trees use the facts to skip questions the user has already
// answered, so a date or an amount is given only with the role the text
// gives it (11月24日签收 is a sign-for date, 卡里还有3000 a balance): a
// wrong answer filled in silently is worse than a question.
//
// It is rule-based on purpose: each fact has a small closed vocabulary or a
// well-defined format (amounts, dates), so regular expressions plus a
// Chinese-numeral parser are more predictable and auditable than a model,
// and a wrong guess is easy to trace to one rule. Anything not clearly
// present is omitted rather than guessed.
//
// Text is first folded (full-width to half-width, lower case) by a helper in
// this package rather than a shared one, because what counts as equivalent
// here (e.g. ￥ and ¥) is a decision of this package.
package extract
