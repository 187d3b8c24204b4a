// Package extract pulls structured facts out of a user's free-text account
// of a consumer dispute: which platform, how much was paid, when, whether
// goods or a service, online or offline, what the merchant said, whether the
// user is a foreigner and whether anyone was hurt. Dialog trees use the
// facts to skip questions the user has already answered.
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
